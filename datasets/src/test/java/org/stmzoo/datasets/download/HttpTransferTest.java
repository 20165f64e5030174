package org.stmzoo.datasets.download;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and broken servers on loopback: silent after accepting, trickling, oversized, a web page instead of the
 * file, a redirect to plain http. Every case ends within a few seconds with one line naming the URL and the cause.
 */
@Timeout(30)
class HttpTransferTest {
  private static final TransferLimits FAST = new TransferLimits(Duration.ofSeconds(2), Duration.ofSeconds(1),
      Duration.ofSeconds(1), 1024);

  @TempDir Path dir;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    pool.shutdownNow();
  }

  /** A raw TCP server whose every connection gets {@code handler}. */
  private URI rawServer(SocketHandler handler) throws IOException {
    ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    open.add(server);
    pool.submit(() -> {
      while (!server.isClosed()) {
        try {
          Socket socket = server.accept();
          open.add(socket);
          pool.submit(() -> {
            try {
              handler.handle(socket);
            } catch (Exception ignored) {
              // the client gave up: that is what these servers provoke
            }
          });
        } catch (IOException e) {
          return;
        }
      }
    });
    return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/w.pth");
  }

  interface SocketHandler {
    void handle(Socket socket) throws Exception;
  }

  private HttpServer httpServer() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.start();
    open.add(() -> server.stop(0));
    return server;
  }

  /** Serves {@code bytes} zeros at {@code path}, with that Content-Length or chunked. */
  private static void serveZeros(HttpServer server, String path, int bytes, boolean chunked) {
    server.createContext(path, ex -> {
      ex.sendResponseHeaders(200, chunked ? 0 : bytes);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(new byte[bytes]);
      }
    });
  }

  private static URI url(HttpServer server, String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  private void get(URI url, long maxBytes) throws IOException {
    new HttpTransfer(FAST).get(url, dir.resolve("w.part"), 0, null, maxBytes, new HttpTransfer.Listener() { });
  }

  /** From byte {@code resumeFrom} of w.part (0: the whole file), without a size cap. */
  private HttpTransfer.Result resume(URI url, long resumeFrom) throws IOException {
    return new HttpTransfer(FAST).get(url, dir.resolve("w.part"), resumeFrom, null, -1,
        new HttpTransfer.Listener() { });
  }

  /** A raw server that answers each request with {@code head}, then {@code bodyBytes} bytes, and closes. */
  private URI closingServer(String head, int bodyBytes) throws IOException {
    return rawServer(socket -> {
      BufferedReader request = new BufferedReader(new InputStreamReader(socket.getInputStream(),
          StandardCharsets.US_ASCII));
      for (String line = request.readLine(); line != null && !line.isEmpty(); line = request.readLine()) {
        // read before answering: closing on an unread request resets the connection
      }
      try (OutputStream out = socket.getOutputStream()) {
        out.write((head + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(new byte[bodyBytes]);
      }
    });
  }

  @Test
  void aServerThatAcceptsAndSendsNothingTimesOut() throws Exception {
    URI url = rawServer(socket -> Thread.sleep(60_000));
    long start = System.nanoTime();
    assertThatThrownBy(() -> get(url, -1)).isInstanceOf(DownloadFailedException.class)
        .hasMessageStartingWith("could not download " + url)
        .hasMessageContaining("no data for 1 s (read timeout)");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
  }

  @Test
  void aServerThatStopsMidBodyTimesOut() throws Exception {
    URI url = rawServer(socket -> {
      OutputStream out = socket.getOutputStream();
      out.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[5000]);
      out.flush();
      Thread.sleep(60_000);
    });
    assertThatThrownBy(() -> get(url, -1)).isInstanceOf(DownloadFailedException.class)
        .hasMessageContaining("read timeout").hasMessageContaining("after 5000 bytes");
  }

  @Test
  void aTricklingServerIsAStall() throws Exception {
    URI url = rawServer(socket -> {
      OutputStream out = socket.getOutputStream();
      out.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      for (int i = 0; i < 600; i++) {
        out.write(1); // one byte every 100 ms: each read succeeds, the transfer never progresses
        out.flush();
        Thread.sleep(100);
      }
    });
    assertThatThrownBy(() -> get(url, -1)).isInstanceOf(DownloadFailedException.class)
        .hasMessageContaining("stalled").hasMessageContaining("fewer than 1024");
  }

  @Test
  void theSizeCapRefusesAnAnnouncedOrAnActualExcess() throws Exception {
    HttpServer server = httpServer();
    serveZeros(server, "/announced", 5000, false);
    serveZeros(server, "/chunked", 5000, true); // no length announced
    assertThatThrownBy(() -> get(url(server, "/announced"), 4000))
        .hasMessageContaining("announces 5000 bytes, more than the 4000 expected");
    assertThatThrownBy(() -> get(url(server, "/chunked"), 4000))
        .hasMessageContaining("exceeds the 4000 bytes expected");
    get(url(server, "/chunked"), 5000);
    assertThat(Files.size(dir.resolve("w.part"))).isEqualTo(5000);
  }

  @Test
  void aBodyWithoutALengthEndsLikeACutOneAndTheResultSaysSo() throws Exception {
    HttpTransfer.Result closed = resume(closingServer("HTTP/1.1 200 OK", 5000), 0);
    assertThat(closed.bytes()).isEqualTo(5000);
    assertThat(closed.lengthKnown()).as("the end of the connection is all that ended it").isFalse();

    HttpServer server = httpServer();
    serveZeros(server, "/length", 3, false);
    serveZeros(server, "/chunked", 3, true); // a cut one is "Premature EOF"
    assertThat(resume(url(server, "/length"), 0).lengthKnown()).isTrue();
    assertThat(resume(url(server, "/chunked"), 0).lengthKnown()).isTrue();
  }

  @Test
  void aResumedBodyIsHeldToTheTotalOfItsContentRange() throws Exception {
    Files.write(dir.resolve("w.part"), new byte[1000]);
    // no Content-Length: only the Content-Range total says the body stopped short
    URI cut = closingServer("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 1000-9999/10000", 4000);
    assertThatThrownBy(() -> resume(cut, 1000)).isInstanceOf(DownloadFailedException.class)
        .hasMessage("could not download " + cut + ": the connection closed after 5000 of 10000 bytes");
    Files.write(dir.resolve("w.part"), new byte[1000]);
    URI over = closingServer("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 1000-1999/2000", 1500);
    assertThatThrownBy(() -> resume(over, 1000)).hasMessageContaining("the server sent 2500 bytes of a file it says"
        + " has 2000");

    Files.write(dir.resolve("w.part"), new byte[1000]);
    HttpTransfer.Result whole = resume(closingServer("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes"
        + " 1000-9999/10000", 9000), 1000);
    assertThat(whole.bytes()).isEqualTo(10_000);
    assertThat(whole.lengthKnown()).isTrue();
    Files.write(dir.resolve("w.part"), new byte[1000]);
    HttpTransfer.Result unknown = resume(closingServer("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes"
        + " 1000-1999/*\r\nContent-Length: 1000", 1000), 1000);
    assertThat(unknown.bytes()).isEqualTo(2000);
    assertThat(unknown.lengthKnown()).as("the range sent, not the file, has a length").isFalse();

    // 416: nothing lies past the bytes the file holds, which the total, where sent, must agree with
    assertThat(resume(closingServer("HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */2000", 0), 2000))
        .extracting(HttpTransfer.Result::bytes, HttpTransfer.Result::appended, HttpTransfer.Result::lengthKnown)
        .containsExactly(2000L, true, true);
    assertThat(resume(closingServer("HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */1500", 0), 2000)
        .lengthKnown()).isFalse();
  }

  @Test
  void aWebPageIsNotTheFile() throws Exception {
    HttpServer server = httpServer();
    server.createContext("/w.pth", ex -> {
      byte[] page = "<html>confirm the download</html>".getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
      ex.sendResponseHeaders(200, page.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(page);
      }
    });
    assertThatThrownBy(() -> get(url(server, "/w.pth"), -1)).hasMessageContaining("sent a web page");
  }

  @Test
  void redirectsAreFollowedButNeverDowngradedAndRefusedConnectionsAreNamed() throws Exception {
    HttpServer server = httpServer();
    server.createContext("/moved", ex -> {
      ex.getResponseHeaders().add("Location", "/w.pth");
      ex.sendResponseHeaders(302, -1);
      ex.close();
    });
    server.createContext("/w.pth", ex -> {
      ex.sendResponseHeaders(200, 3);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(new byte[] {1, 2, 3});
      }
    });
    server.createContext("/missing", ex -> {
      ex.sendResponseHeaders(404, -1);
      ex.close();
    });
    get(url(server, "/moved"), -1);
    assertThat(Files.readAllBytes(dir.resolve("w.part"))).containsExactly(1, 2, 3);
    assertThatThrownBy(() -> get(url(server, "/missing"), -1)).hasMessageContaining("HTTP 404");

    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    URI refused = URI.create("http://127.0.0.1:" + closedPort + "/w.pth");
    assertThatThrownBy(() -> get(refused, -1)).isInstanceOf(DownloadFailedException.class)
        .hasMessageStartingWith("could not download " + refused + ": cannot connect to 127.0.0.1:" + closedPort)
        .satisfies(e -> assertThat(e.toString()).doesNotContain("Exception").doesNotContain("\n"));
    assertThatThrownBy(() -> get(URI.create("file:///etc/passwd"), -1)).hasMessageContaining("only http and https");
  }

  @Test
  void fiveRedirectsAreFollowedAndASixthIsRefused() throws Exception {
    HttpServer server = httpServer();
    // /chain/N redirects to /chain/N-1; /chain/0 is the file
    server.createContext("/chain/", ex -> {
      int left = Integer.parseInt(ex.getRequestURI().getPath().substring("/chain/".length()));
      if (left > 0) {
        ex.getResponseHeaders().add("Location", "/chain/" + (left - 1));
        ex.sendResponseHeaders(302, -1);
        ex.close();
        return;
      }
      ex.sendResponseHeaders(200, 1);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(7);
      }
    });
    get(url(server, "/chain/" + HttpTransfer.MAX_REDIRECTS), -1);
    assertThat(Files.readAllBytes(dir.resolve("w.part"))).containsExactly(7);
    URI tooMany = url(server, "/chain/" + (HttpTransfer.MAX_REDIRECTS + 1));
    assertThatThrownBy(() -> get(tooMany, -1)).isInstanceOf(DownloadFailedException.class)
        .hasMessage("could not download " + tooMany + ": more than 5 redirects");
  }

  @Test
  void remediesAreAppendedToTheSameLine() {
    DownloadFailedException e = new DownloadFailedException("http://x/w.pth", "no data for 60 s (read timeout)")
        .withRemedy("use --offline with a cached copy");
    assertThat(e).hasToString("could not download http://x/w.pth: no data for 60 s (read timeout); use --offline"
        + " with a cached copy");
  }
}
