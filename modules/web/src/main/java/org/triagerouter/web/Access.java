package org.triagerouter.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Who may use the dashboard and API: basic-auth users and bearer tokens from the configuration, each
 * with a role. With none configured every caller is an admin, which the server only allows on loopback.
 */
public final class Access {
    public enum Role { VIEWER, ADMIN }

    /** A user ({@code name:password:role}) or a token ({@code token:role}); role defaults to viewer. */
    public record Credential(String user, String secret, Role role) {
        boolean isToken() { return user == null; }
    }

    private final List<Credential> credentials;

    public Access(List<Credential> credentials) { this.credentials = List.copyOf(credentials); }

    public static Access open() { return new Access(List.of()); }

    public boolean isOpen() { return credentials.isEmpty(); }

    /** Parses "name:password[:role]" entries; a bad role or a missing password names the entry's position. */
    public static List<Credential> users(List<String> entries) {
        List<Credential> parsed = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String[] parts = entries.get(i).split(":", -1);
            if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw new IllegalArgumentException("http.users entry " + (i + 1) + " is not name:password[:role]");
            }
            parsed.add(new Credential(parts[0], parts[1], role(parts.length == 3 ? parts[2] : "viewer", "http.users entry " + (i + 1))));
        }
        return parsed;
    }

    /** Parses "token[:role]" entries; tokens shorter than 16 characters are refused as guessable. */
    public static List<Credential> tokens(List<String> entries) {
        List<Credential> parsed = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String entry = entries.get(i);
            int colon = entry.lastIndexOf(':');
            String token = colon < 0 ? entry : entry.substring(0, colon);
            if (token.length() < 16) throw new IllegalArgumentException("http.tokens entry " + (i + 1) + " is shorter than 16 characters");
            parsed.add(new Credential(null, token, role(colon < 0 ? "viewer" : entry.substring(colon + 1), "http.tokens entry " + (i + 1))));
        }
        return parsed;
    }

    private static Role role(String name, String where) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "viewer" -> Role.VIEWER;
            case "admin" -> Role.ADMIN;
            default -> throw new IllegalArgumentException(where + ": role '" + name + "' is not viewer or admin");
        };
    }

    /** The caller's role from an Authorization header, empty when it proves nothing. */
    public Optional<Role> authenticate(String authorization) {
        if (isOpen()) return Optional.of(Role.ADMIN);
        if (authorization == null) return Optional.empty();
        if (authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = authorization.substring(7).trim();
            return credentials.stream().filter(c -> c.isToken() && same(c.secret(), token)).map(Credential::role).findFirst();
        }
        if (authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) return Optional.empty();
            String user = decoded.substring(0, colon), password = decoded.substring(colon + 1);
            return credentials.stream().filter(c -> !c.isToken() && c.user().equals(user) && same(c.secret(), password))
                    .map(Credential::role).findFirst();
        }
        return Optional.empty();
    }

    /** Constant-time: a wrong guess takes as long as a nearly right one. */
    private static boolean same(String expected, String given) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }
}
