package io.gannet.plugin.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The users file: one {@code username:hash} per line, {@code #} comments and blank lines ignored, as
 * {@code gannet-passwd} writes it.
 */
final class PasswordFile {
    private PasswordFile() {
    }

    /** @throws IllegalArgumentException naming the file and line of the first bad entry */
    static Map<String, PasswordHash> read(Path file) throws IOException {
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
    }

    /**
     * @param source where the lines come from, for messages
     * @throws IllegalArgumentException naming the source and line of the first bad entry
     */
    static Map<String, PasswordHash> parse(List<String> lines, String source) {
        Map<String, PasswordHash> users = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException(source + ":" + (i + 1) + ": expected username:hash");
            }
            try {
                users.put(line.substring(0, colon), PasswordHash.parse(line.substring(colon + 1)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + ":" + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return users;
    }

    static void write(Path file, Map<String, PasswordHash> users) throws IOException {
        StringBuilder sb = new StringBuilder("# Gannet users: username:hash, written by gannet-passwd.\n");
        users.forEach((user, hash) -> sb.append(user).append(':').append(hash.encode()).append('\n'));
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        // Created readable by its owner only (0600), before a byte is written: not narrowed afterwards.
        if (java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        }
        Files.writeString(tmp, sb.toString(), StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
