package dev.sqlbak.storage.s3;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 between sqlbak and a test S3 server that injects network faults
 * switchable at run time: throttled uploads, connections cut mid-body, late answers and {@code 503
 * SlowDown}. It reads HTTP/1.1 requests just far enough to find their bodies (Content-Length or
 * chunked); answers are relayed as bytes. One thread per direction per connection.
 */
public final class FaultProxy implements AutoCloseable {
  /** Request bodies up to this size (listings, markers, CompleteMultipartUpload) are never cut: only uploads. */
  public static final long SMALL_BODY = 64 * 1024;
  private static final int BUFFER = 16 * 1024;
  private static final String SLOW_DOWN_BODY = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code>"
      + "<Message>Please reduce your request rate.</Message><RequestId>FAULTPROXY</RequestId></Error>";

  private final ServerSocket server;
  private final InetSocketAddress upstream;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger cuts = new AtomicInteger();
  private final AtomicInteger slowDowns = new AtomicInteger();
  private final List<String> requestLines = java.util.Collections.synchronizedList(new ArrayList<>());

  // The faults in force; each is read once per request or per chunk, so a switch takes effect at once.
  private volatile long answerBytesPerSecond;
  private volatile long bytesPerSecond;
  private volatile long delayMillis;
  private final AtomicInteger slowDownsLeft = new AtomicInteger();
  private volatile boolean slowDownUploadsOnly;
  private final Object cutLock = new Object();
  private long cutBudget;
  private int cutsLeft;

  private FaultProxy(ServerSocket server, InetSocketAddress upstream) {
    this.server = server;
    this.upstream = upstream;
  }

  /** A proxy on a free port of 127.0.0.1 forwarding to {@code upstream} ({@code http://host:port}), passing everything through. */
  public static FaultProxy start(URI upstream) throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    FaultProxy proxy = new FaultProxy(server, new InetSocketAddress(upstream.getHost(), upstream.getPort()));
    daemon("fault-proxy-accept", proxy::acceptLoop).start();
    return proxy;
  }

  /** Where clients connect: {@code http://127.0.0.1:<port>}. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  /** Ends every fault: requests and answers pass unchanged and at full speed. */
  public void passThrough() {
    answerBytesPerSecond = 0;
    bytesPerSecond = 0;
    delayMillis = 0;
    slowDownsLeft.set(0);
    synchronized (cutLock) {
      cutsLeft = 0;
    }
  }

  /** Forwards request bytes (towards the server) at most {@code rate} bytes per second on each connection; 0 lifts it. */
  public void throttle(long rate) {
    bytesPerSecond = rate;
  }

  /** Relays answer bytes (towards the client: downloads) at most {@code rate} bytes per second on each connection. */
  public void throttleAnswers(long rate) {
    answerBytesPerSecond = rate;
  }

  /**
   * Cuts connections in the middle of uploads: once {@code afterBytes} more body bytes of uploads
   * (bodies over {@link #SMALL_BODY}) have passed, the connection carrying one is reset; each of the
   * following {@code times - 1} uploads is reset after its first {@link #SMALL_BODY} bytes. Small
   * requests always pass, so that a client can still abort what it started.
   */
  public void cutUploads(long afterBytes, int times) {
    synchronized (cutLock) {
      cutBudget = afterBytes;
      cutsLeft = times;
    }
  }

  /** Holds each request for {@code delay} before passing it on, so that every answer comes that much later. */
  public void delayAnswers(Duration delay) {
    delayMillis = delay.toMillis();
  }

  /**
   * Answers the next {@code count} requests itself with {@code 503 SlowDown} (an S3 error body),
   * after reading their bodies: a client still writing when the answer comes sees a broken pipe,
   * not the status.
   */
  public void slowDown(int count) {
    slowDownUploadsOnly = false;
    slowDownsLeft.set(count);
  }

  /** As {@link #slowDown}, for uploads only (bodies over {@link #SMALL_BODY}): other requests pass. */
  public void slowDownUploads(int count) {
    slowDownUploadsOnly = true;
    slowDownsLeft.set(count);
  }

  /** How many requests reached the proxy (answered by it or passed on). */
  public int requests() {
    return requests.get();
  }

  /** How many connections were cut mid-upload. */
  public int cuts() {
    return cuts.get();
  }

  /** How many requests were answered with 503. */
  public int slowDowns() {
    return slowDowns.get();
  }

  /** The request lines seen so far ({@code PUT /bucket/key?partNumber=1&uploadId=... HTTP/1.1}). */
  public List<String> requestLines() {
    synchronized (requestLines) {
      return List.copyOf(requestLines);
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : open) {
      closeQuietly(s);
    }
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        open.add(client);
        daemon("fault-proxy-conn", () -> serve(client)).start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket client) {
    try (client; Socket up = new Socket()) {
      open.add(up);
      up.connect(upstream, 5000);
      Object clientWrite = new Object();
      daemon("fault-proxy-answers", () -> relayAnswers(up, client, clientWrite)).start();
      InputStream in = new BufferedInputStream(client.getInputStream(), BUFFER);
      while (true) {
        HttpRequestHead head = HttpRequestHead.read(in);
        if (head == null || !handle(head, in, client, up, clientWrite)) {
          return;
        }
      }
    } catch (IOException e) {
      // the client or the server went away; the other side sees the connection close
    } finally {
      open.remove(client);
    }
  }

  /** Handles one request; false when the connection is done with. */
  private boolean handle(HttpRequestHead head, InputStream in, Socket client, Socket up, Object clientWrite)
      throws IOException {
    requests.incrementAndGet();
    requestLines.add(head.requestLine());
    boolean upload = head.chunked() || head.contentLength() > SMALL_BODY;
    if ((upload || !slowDownUploadsOnly) && takeSlowDown()) {
      answerSlowDown(head, in, client, clientWrite);
      return false;
    }
    sleep(delayMillis);
    OutputStream out = up.getOutputStream();
    out.write(head.bytes());
    out.flush();
    if (!forwardBody(head, in, out, upload)) {
      cuts.incrementAndGet();
      reset(client);
      reset(up);
      return false;
    }
    return true;
  }

  private boolean takeSlowDown() {
    return slowDownsLeft.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
  }

  private void answerSlowDown(HttpRequestHead head, InputStream in, Socket client, Object clientWrite) throws IOException {
    slowDowns.incrementAndGet();
    OutputStream out = client.getOutputStream();
    if (head.expectsContinue()) {
      synchronized (clientWrite) {
        out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
    }
    forwardBody(head, in, OutputStream.nullOutputStream(), false);
    byte[] body = SLOW_DOWN_BODY.getBytes(StandardCharsets.UTF_8);
    String answer = "HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: " + body.length
        + "\r\nx-amz-request-id: FAULTPROXY\r\nConnection: close\r\n\r\n";
    synchronized (clientWrite) {
      out.write(answer.getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
    }
    client.shutdownOutput();
  }

  /** Forwards the body of {@code head}; false if the connection was to be cut during it. */
  private boolean forwardBody(HttpRequestHead head, InputStream in, OutputStream out, boolean upload) throws IOException {
    if (!head.chunked()) {
      return copy(in, out, head.contentLength(), upload);
    }
    while (true) {
      String sizeLine = HttpRequestHead.readLine(in);
      out.write((sizeLine + "\r\n").getBytes(StandardCharsets.US_ASCII));
      long size = Long.parseLong(sizeLine.split(";", 2)[0].trim(), 16);
      if (size == 0) {
        for (String trailer = HttpRequestHead.readLine(in); ; trailer = HttpRequestHead.readLine(in)) {
          out.write((trailer + "\r\n").getBytes(StandardCharsets.US_ASCII));
          if (trailer.isEmpty()) {
            out.flush();
            return true;
          }
        }
      }
      if (!copy(in, out, size, upload)) {
        return false;
      }
      out.write(HttpRequestHead.readLine(in).getBytes(StandardCharsets.US_ASCII));
      out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
  }

  /** Copies {@code length} bytes, throttled; false (having copied only part) where a cut falls. */
  private boolean copy(InputStream in, OutputStream out, long length, boolean upload) throws IOException {
    byte[] buf = new byte[BUFFER];
    long left = length;
    long owedNanos = 0;
    while (left > 0) {
      long rate = bytesPerSecond;
      // Small slices when throttled, so that the rate holds over short spans too.
      int slice = (int) Math.min(Math.min(buf.length, left), rate > 0 ? Math.max(1, rate / 50) : buf.length);
      long allowed = upload ? allowedBeforeCut(slice) : slice;
      if (allowed == 0) {
        return false;
      }
      int n = in.read(buf, 0, (int) allowed);
      if (n < 0) {
        throw new IOException("client closed mid-body");
      }
      out.write(buf, 0, n);
      left -= n;
      if (upload) {
        spendCutBudget(n);
      }
      if (rate > 0) {
        out.flush();
        // Owed time accumulates, so that sleeps shorter than the timer's grain do not add up to a faster rate.
        owedNanos += n * 1_000_000_000L / rate;
        if (owedNanos >= 2_000_000) {
          long t0 = System.nanoTime();
          sleep(owedNanos / 1_000_000);
          owedNanos -= System.nanoTime() - t0;
        }
      }
    }
    out.flush();
    return true;
  }

  /** How many of {@code wanted} upload bytes may pass before the next cut; 0 means cut now (and counts it). */
  private long allowedBeforeCut(int wanted) {
    synchronized (cutLock) {
      if (cutsLeft <= 0) {
        return wanted;
      }
      if (cutBudget <= 0) {
        cutsLeft--;
        // The next upload gets a small start before its own cut: a cut mid-body, not at its head.
        cutBudget = SMALL_BODY;
        return 0;
      }
      return Math.min(wanted, cutBudget);
    }
  }

  private void spendCutBudget(int n) {
    synchronized (cutLock) {
      if (cutsLeft > 0) {
        cutBudget -= n;
      }
    }
  }

  private void relayAnswers(Socket up, Socket client, Object clientWrite) {
    byte[] buf = new byte[BUFFER];
    try {
      InputStream in = up.getInputStream();
      OutputStream out = client.getOutputStream();
      for (int n; (n = in.read(buf, 0, answerSlice(buf.length))) >= 0; ) {
        synchronized (clientWrite) {
          out.write(buf, 0, n);
          out.flush();
        }
        long rate = answerBytesPerSecond;
        if (rate > 0) {
          sleep(n * 1000L / rate);
        }
      }
      client.shutdownOutput();
    } catch (IOException e) {
      closeQuietly(client); // one side broke: the other must see it too
    }
  }

  /** How much of an answer to relay at once: a fiftieth of a second's worth when throttled. */
  private int answerSlice(int most) {
    long rate = answerBytesPerSecond;
    return rate > 0 ? (int) Math.max(1, Math.min(most, rate / 50)) : most;
  }

  /** Closes with an RST rather than a FIN, as a broken network or a dropped NAT entry shows it. */
  private static void reset(Socket s) {
    try {
      s.setSoLinger(true, 0);
    } catch (IOException e) {
      // closing below still ends it
    }
    closeQuietly(s);
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // nothing to do: it is closed either way
    }
  }

  private static void sleep(long millis) {
    if (millis <= 0) {
      return;
    }
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Thread daemon(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    return t;
  }
}
