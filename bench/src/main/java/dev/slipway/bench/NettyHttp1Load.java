package dev.slipway.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Users on bare Netty over HTTP/1.1, one keep-alive connection each, like wrk: the request is
 * encoded once and written as bytes, and only the status line is looked at. Little CPU per
 * request, so that on a small machine the server under test keeps the cores.
 */
final class NettyHttp1Load implements LoadClient {
  private final EventLoopGroup group;
  private final InetSocketAddress address;
  private final ByteBuf request;
  private final long timeoutNanos;

  NettyHttp1Load(String url, String json, int threads, Duration timeout) {
    URI uri = URI.create(url);
    this.address = new InetSocketAddress(uri.getHost(), uri.getPort());
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    byte[] head = ("POST " + uri.getRawPath() + " HTTP/1.1\r\n"
        + "Host: " + uri.getAuthority() + "\r\n"
        + "Content-Type: application/json\r\n"
        + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    this.request = Unpooled.directBuffer(head.length + body.length).writeBytes(head)
        .writeBytes(body);
    this.timeoutNanos = timeout.toNanos();
    this.group = NettyEventLoops.create(threads);
  }

  @Override
  public void start(Measurement measurement, int users) {
    Bootstrap bootstrap = new Bootstrap()
        .group(group)
        .channel(NettyEventLoops.channelType())
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            channel.pipeline().addLast(new HttpResponseDecoder(), new User(measurement));
          }
        });
    for (int i = 0; i < users; i++) {
      bootstrap.connect(address).addListener(connected -> {
        if (!connected.isSuccess()) {
          measurement.failed("connect " + address + ": "
              + LoadGenerator.rootCause(connected.cause()));
          measurement.userLost();
        }
      });
    }
  }

  /** One user: its own connection, one request at a time, all on the channel's event loop. */
  private final class User extends SimpleChannelInboundHandler<HttpObject> {
    private final Measurement measurement;
    private ScheduledFuture<?> watchdog;
    private long sentNanos;
    private boolean inFlight;
    private boolean finished;
    private int status;

    User(Measurement measurement) {
      this.measurement = measurement;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      // One timer per connection rather than one per request: cheaper, and a stuck request
      // is still noticed within 100 ms of its timeout.
      watchdog = ctx.executor().scheduleAtFixedRate(() -> checkTimeout(ctx), 100, 100,
          TimeUnit.MILLISECONDS);
      sendNext(ctx);
    }

    private void sendNext(ChannelHandlerContext ctx) {
      if (!measurement.nextOrDone()) {
        finished = true;
        ctx.close();
        return;
      }
      status = 0;
      inFlight = true;
      sentNanos = System.nanoTime();
      ctx.writeAndFlush(request.retainedDuplicate(), ctx.voidPromise());
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
      if (message instanceof HttpResponse response) {
        status = response.decoderResult().isSuccess() ? response.status().code() : -1;
      }
      if (message instanceof LastHttpContent && inFlight) {
        inFlight = false;
        if (status == 200) {
          measurement.answered(sentNanos);
        } else {
          measurement.failed(status < 0 ? "malformed HTTP response" : "HTTP " + status);
        }
        sendNext(ctx);
      }
    }

    private void checkTimeout(ChannelHandlerContext ctx) {
      if (inFlight && System.nanoTime() - sentNanos > timeoutNanos) {
        inFlight = false;
        measurement.failed("no answer within " + timeoutNanos / 1_000_000 + " ms");
        ctx.close();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (inFlight) {
        inFlight = false;
        measurement.failed(LoadGenerator.rootCause(cause));
      }
      ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (watchdog != null) {
        watchdog.cancel(false);
      }
      if (inFlight) {
        inFlight = false;
        measurement.failed("connection closed by the server");
      }
      if (!finished) {
        finished = true;
        measurement.userLost();
      }
    }
  }

  @Override
  public String describe() {
    return "client=netty transport=h1c";
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    request.release();
  }
}
