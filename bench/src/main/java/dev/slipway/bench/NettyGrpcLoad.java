package dev.slipway.bench;

import dev.slipway.serving.grpc.ModelInferRequest;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2EventAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Users on bare Netty HTTP/2 speaking just enough gRPC for a unary ModelInfer: the message is
 * framed once, every call writes the same headers and bytes, and an answer is OK only with
 * {@code :status 200}, a response message and {@code grpc-status 0} in the trailers. The users
 * share {@code connections} connections (one gRPC channel by default), each user one stream at a
 * time.
 */
final class NettyGrpcLoad implements LoadClient {
  private static final String PATH = "/inference.GRPCInferenceService/ModelInfer";

  private final EventLoopGroup group;
  private final InetSocketAddress address;
  private final Http2Headers headers;
  private final ByteBuf message;
  private final int connections;
  private final long timeoutNanos;

  NettyGrpcLoad(String url, ModelInferRequest request, int connections, int threads,
      Duration timeout) {
    URI uri = URI.create(url);
    this.address = new InetSocketAddress(uri.getHost(), uri.getPort());
    // Shared by every call and never changed after this: HPACK then sends it as a few indices.
    this.headers = new DefaultHttp2Headers()
        .method("POST")
        .scheme("http")
        .path(PATH)
        .authority(uri.getAuthority())
        .add("content-type", "application/grpc")
        .add("te", "trailers");
    byte[] body = request.toByteArray();
    // gRPC length-prefixed message: uncompressed flag, then the length, big-endian.
    this.message = Unpooled.directBuffer(5 + body.length).writeByte(0).writeInt(body.length)
        .writeBytes(body);
    this.connections = connections;
    this.timeoutNanos = timeout.toNanos();
    this.group = NettyEventLoops.create(threads);
  }

  @Override
  public void start(Measurement measurement, int users) {
    for (int i = 0; i < connections; i++) {
      int usersHere = users / connections + (i < users % connections ? 1 : 0);
      if (usersHere == 0) {
        continue;
      }
      Bootstrap bootstrap = new Bootstrap()
          .group(group)
          .channel(NettyEventLoops.channelType())
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
          .handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel channel) {
              channel.pipeline().addLast(new Builder(measurement, usersHere).build());
            }
          });
      bootstrap.connect(address).addListener(connected -> {
        if (!connected.isSuccess()) {
          measurement.failed("connect " + address + ": "
              + LoadGenerator.rootCause(connected.cause()));
          for (int user = 0; user < usersHere; user++) {
            measurement.userLost();
          }
        }
      });
    }
  }

  private final class Builder
      extends AbstractHttp2ConnectionHandlerBuilder<Connection, Builder> {
    private final Measurement measurement;
    private final int users;

    Builder(Measurement measurement, int users) {
      this.measurement = measurement;
      this.users = users;
      server(false);
    }

    @Override
    public Connection build() {
      return super.build();
    }

    @Override
    protected Connection build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
        Http2Settings initialSettings) {
      Connection connection = new Connection(decoder, encoder, initialSettings, measurement,
          users);
      decoder.frameListener(connection.new Answers());
      return connection;
    }
  }

  /** A call in flight: what its answer has shown so far. */
  private static final class Call {
    final long sentNanos;
    boolean httpOk;
    String grpcStatus;
    int messageBytes;

    Call(long sentNanos) {
      this.sentNanos = sentNanos;
    }
  }

  /** One HTTP/2 connection and its users; everything runs on the channel's event loop. */
  private final class Connection extends Http2ConnectionHandler {
    private final Measurement measurement;
    private final IntObjectMap<Call> calls = new IntObjectHashMap<>();
    private final ChannelFutureListener writeFailed;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> watchdog;
    private int users;
    private boolean finished;

    Connection(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
        Http2Settings initialSettings, Measurement measurement, int users) {
      super(decoder, encoder, initialSettings);
      this.measurement = measurement;
      this.users = users;
      this.writeFailed = future -> {
        if (!future.isSuccess()) {
          measurement.failed("write: " + LoadGenerator.rootCause(future.cause()));
          future.channel().close();
        }
      };
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
      super.handlerAdded(ctx);
      this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      super.channelActive(ctx);
      watchdog = ctx.executor().scheduleAtFixedRate(this::checkTimeouts, 100, 100,
          TimeUnit.MILLISECONDS);
      for (int i = users; i > 0; i--) {
        sendNext();
      }
      flush(ctx);
    }

    /** Starts a call; the caller flushes (once per read, not once per call). */
    private void sendNext() {
      if (!measurement.nextOrDone()) {
        if (--users == 0) {
          finished = true;
          ctx.close();
        }
        return;
      }
      int streamId = connection().local().incrementAndGetNextStreamId();
      calls.put(streamId, new Call(System.nanoTime()));
      encoder().writeHeaders(ctx, streamId, headers, 0, false, ctx.voidPromise());
      ChannelPromise written = ctx.newPromise();
      written.addListener(writeFailed);
      encoder().writeData(ctx, streamId, message.retainedDuplicate(), 0, true, written);
    }

    private void finish(int streamId, Call call) {
      calls.remove(streamId);
      if (call.httpOk && "0".equals(call.grpcStatus) && call.messageBytes >= 5) {
        measurement.answered(call.sentNanos);
      } else {
        measurement.failed("gRPC answer: http " + (call.httpOk ? "200" : "not 200")
            + ", grpc-status " + call.grpcStatus + ", " + call.messageBytes + " message bytes");
      }
      sendNext();
    }

    private void checkTimeouts() {
      long now = System.nanoTime();
      List<Integer> late = new ArrayList<>();
      for (IntObjectMap.PrimitiveEntry<Call> entry : calls.entries()) {
        if (now - entry.value().sentNanos > timeoutNanos) {
          late.add(entry.key());
        }
      }
      for (int streamId : late) {
        calls.remove(streamId);
        measurement.failed("no answer within " + timeoutNanos / 1_000_000 + " ms");
        resetStream(ctx, streamId, Http2Error.CANCEL.code(), ctx.newPromise());
        sendNext();
      }
      if (!late.isEmpty()) {
        flush(ctx);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
      // Calls started while reading answers go out together here.
      flush(ctx);
      super.channelReadComplete(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      if (watchdog != null) {
        watchdog.cancel(false);
      }
      for (int i = calls.size(); i > 0; i--) {
        measurement.failed("connection closed with calls in flight");
      }
      calls.clear();
      if (!finished) {
        finished = true;
        for (; users > 0; users--) {
          measurement.userLost();
        }
      }
      super.channelInactive(ctx);
    }

    /** Reads answers: headers, the response message, trailers (or a trailers-only error). */
    final class Answers extends Http2EventAdapter {
      @Override
      public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers received,
          int padding, boolean endOfStream) {
        Call call = calls.get(streamId);
        if (call == null) {
          return;
        }
        CharSequence status = received.status();
        if (status != null) {
          call.httpOk = "200".contentEquals(status);
        }
        CharSequence grpcStatus = received.get("grpc-status");
        if (grpcStatus != null) {
          call.grpcStatus = grpcStatus.toString();
        }
        if (endOfStream) {
          finish(streamId, call);
        }
      }

      @Override
      public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers received,
          int streamDependency, short weight, boolean exclusive, int padding,
          boolean endOfStream) {
        onHeadersRead(ctx, streamId, received, padding, endOfStream);
      }

      @Override
      public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding,
          boolean endOfStream) {
        int processed = data.readableBytes() + padding;
        Call call = calls.get(streamId);
        if (call != null) {
          call.messageBytes += data.readableBytes();
          if (endOfStream) {
            finish(streamId, call);
          }
        }
        // Counted as processed at once, so that flow-control windows reopen.
        return processed;
      }

      @Override
      public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
        if (calls.remove(streamId) != null) {
          measurement.failed("stream reset by the server, HTTP/2 error " + errorCode);
          sendNext();
        }
      }
    }
  }

  @Override
  public String describe() {
    return "client=netty transport=h2c";
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    message.release();
  }
}
