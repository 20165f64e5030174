package org.stmzoo.zoo.pretrained;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A mirror ({@code STMZOO_MIRROR}) on loopback serving one file by name, so that tests download without a network.
 */
public final class LoopbackMirror implements AutoCloseable {
  private final HttpServer server;

  private LoopbackMirror(HttpServer server) {
    this.server = server;
  }

  /** Serves {@code bytes} as {@code <url()>/<fileName>} until closed. */
  public static LoopbackMirror serving(String fileName, byte[] bytes) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/mirror/" + fileName, ex -> {
      ex.sendResponseHeaders(200, bytes.length);
      try (OutputStream o = ex.getResponseBody()) {
        o.write(bytes);
      }
    });
    server.start();
    return new LoopbackMirror(server);
  }

  /** The base URL a mirror setting takes. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/mirror";
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
