package org.triagerouter.hl7;

import ca.uhn.hl7v2.HL7Exception;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * One MLLP connection to an HL7 peer: each message goes out framed (VT, message, FS CR) and the peer's
 * acknowledgment is read back within the endpoint's ACK timeout. TLS (1.3 and 1.2) checks the peer's
 * certificate and host name against the trust store. Nothing here retries: the caller's outbox does.
 */
public final class MllpConnection implements AutoCloseable {
    private static final int START_BLOCK = 0x0B, END_BLOCK = 0x1C, CARRIAGE_RETURN = 0x0D;
    /** An acknowledgment is a few hundred bytes; a peer streaming without end must not fill the heap. */
    private static final int MAX_ACK_BYTES = 1 << 20;

    private final Hl7Endpoint endpoint;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private MllpConnection(Hl7Endpoint endpoint, Socket socket) throws IOException {
        this.endpoint = endpoint;
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    public static MllpConnection open(Hl7Endpoint endpoint) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), (int) endpoint.connectTimeout().toMillis());
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            if (endpoint.tls()) socket = handshake(endpoint, socket);
            return new MllpConnection(endpoint, socket);
        } catch (SocketTimeoutException e) {
            socket.close();
            throw new IOException("cannot connect to " + endpoint + ": no answer within " + endpoint.connectTimeout().toSeconds() + " s", e);
        } catch (IOException e) {
            socket.close();
            throw new IOException("cannot connect to " + endpoint + ": " + e.getMessage(), e);
        }
    }

    private static Socket handshake(Hl7Endpoint endpoint, Socket plain) throws IOException {
        SSLSocketFactory factory;
        try {
            factory = sslContext(endpoint).getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IOException("TLS set-up failed: " + e.getMessage(), e);
        }
        SSLSocket tls = (SSLSocket) factory.createSocket(plain, endpoint.host(), endpoint.port(), true);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host we called
        parameters.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        tls.setSSLParameters(parameters);
        tls.setSoTimeout((int) endpoint.connectTimeout().toMillis());
        tls.startHandshake();
        return tls;
    }

    private static SSLContext sslContext(Hl7Endpoint endpoint) throws GeneralSecurityException, IOException {
        if (endpoint.trustStore() == null) return SSLContext.getDefault();
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream s = Files.newInputStream(endpoint.trustStore())) {
            trust.load(s, endpoint.trustStorePassword() == null ? null : endpoint.trustStorePassword().toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    /**
     * Sends one message and returns the peer's acknowledgment of it. An I/O failure, no answer within the
     * ACK timeout, an unreadable answer or one acknowledging another message are IOExceptions: worth a retry.
     */
    public Hl7Ack exchange(Hl7Message message) throws IOException {
        byte[] body = message.bytes();
        byte[] frame = new byte[body.length + 3];
        frame[0] = START_BLOCK;
        System.arraycopy(body, 0, frame, 1, body.length);
        frame[frame.length - 2] = END_BLOCK;
        frame[frame.length - 1] = CARRIAGE_RETURN;
        out.write(frame);
        out.flush();
        String answer = new String(readFrame(), message.charset());
        Hl7Ack ack;
        try {
            ack = Hl7Ack.parse(answer);
        } catch (HL7Exception e) {
            throw new IOException("unreadable acknowledgment of " + message.controlId() + ": " + e.getMessage(), e);
        }
        if (ack.controlId() != null && !ack.controlId().equals(message.controlId())) {
            throw new IOException("the acknowledgment is for message " + ack.controlId() + ", not " + message.controlId());
        }
        return ack;
    }

    private byte[] readFrame() throws IOException {
        long deadline = System.nanoTime() + endpoint.ackTimeout().toNanos();
        ByteArrayOutputStream frame = new ByteArrayOutputStream(512);
        boolean started = false;
        try {
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) throw new SocketTimeoutException();
                socket.setSoTimeout((int) Math.max(1, left));
                int b = in.read();
                if (b < 0) throw new IOException(endpoint + " closed the connection without an acknowledgment");
                if (!started) {
                    started = b == START_BLOCK; // bytes before a frame's start are line noise
                    continue;
                }
                if (b == END_BLOCK) {
                    in.mark(1);
                    if (in.read() != CARRIAGE_RETURN) in.reset();
                    return frame.toByteArray();
                }
                if (frame.size() >= MAX_ACK_BYTES) throw new IOException(endpoint + " sent more than " + MAX_ACK_BYTES + " bytes without ending its answer");
                frame.write(b);
            }
        } catch (SocketTimeoutException e) {
            throw new IOException("no acknowledgment from " + endpoint + " within " + endpoint.ackTimeout().toSeconds() + " s", e);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
