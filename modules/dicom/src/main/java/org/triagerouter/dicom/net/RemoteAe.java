package org.triagerouter.dicom.net;

/** A DICOM peer: AE title, host and port, written {@code AE@HOST:PORT}. */
public record RemoteAe(String aeTitle, String host, int port) {
    public RemoteAe {
        if (aeTitle == null || aeTitle.isBlank() || aeTitle.length() > 16) {
            throw new IllegalArgumentException("AE title must be 1 to 16 characters: '" + aeTitle + "'");
        }
        if (port < 1 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
    }

    public static RemoteAe parse(String text) {
        int at = text.indexOf('@');
        int colon = text.lastIndexOf(':');
        if (at < 1 || colon < at + 2 || colon == text.length() - 1) {
            throw new IllegalArgumentException("expected AE@HOST:PORT, got '" + text + "'");
        }
        String host = text.substring(at + 1, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        try {
            return new RemoteAe(text.substring(0, at), host, Integer.parseInt(text.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port is not a number in '" + text + "'");
        }
    }

    @Override
    public String toString() { return aeTitle + "@" + host + ":" + port; }
}
