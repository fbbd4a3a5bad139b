package dev.slipway.bench;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/** Event loops for the Netty clients: epoll where Linux has it, as the servers use. */
final class NettyEventLoops {
  private NettyEventLoops() {}

  static EventLoopGroup create(int threads) {
    IoHandlerFactory io = Epoll.isAvailable() ? EpollIoHandler.newFactory()
        : NioIoHandler.newFactory();
    return new MultiThreadIoEventLoopGroup(threads,
        new DefaultThreadFactory("loadgen", true), io);
  }

  static Class<? extends SocketChannel> channelType() {
    return Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class;
  }
}
