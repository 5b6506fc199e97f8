package io.gannet.plugin.auth;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code gannet-passwd}: adds, changes and deletes users in a password file, like {@code mosquitto_passwd}.
 * <pre>
 *   gannet-passwd [-c] FILE USER        ask for the password (twice) and set it; -c creates the file
 *   gannet-passwd -b FILE USER PASSWORD set it from the command line (for scripts; it shows in ps)
 *   gannet-passwd --stdin FILE USER     read the password from standard input
 *   gannet-passwd -D FILE USER          delete the user
 * </pre>
 * The broker re-reads the file on its own within {@code reload-interval-seconds}.
 */
public final class PasswdTool {
    private PasswdTool() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        boolean create = false;
        boolean delete = false;
        boolean batch = false;
        boolean stdin = false;
        int i = 0;
        while (i < args.length && args[i].startsWith("-")) {
            switch (args[i]) {
                case "-c" -> create = true;
                case "-D" -> delete = true;
                case "-b" -> batch = true;
                case "--stdin" -> stdin = true;
                case "-h", "--help" -> {
                    usage(out);
                    return 0;
                }
                default -> {
                    err.println("gannet-passwd: unknown option " + args[i]);
                    usage(err);
                    return 2;
                }
            }
            i++;
        }
        int needed = batch ? 3 : 2;
        if (args.length - i != needed) {
            usage(err);
            return 2;
        }
        Path file = Path.of(args[i]);
        String user = args[i + 1];
        if (user.isEmpty() || user.contains(":") || user.chars().anyMatch(Character::isWhitespace)) {
            err.println("gannet-passwd: a user name may not be empty or contain ':' or spaces");
            return 2;
        }
        try {
            Map<String, PasswordHash> users = new LinkedHashMap<>();
            if (Files.exists(file)) {
                users.putAll(PasswordFile.read(file));
            } else if (!create) {
                err.println("gannet-passwd: " + file + " does not exist (use -c to create it)");
                return 1;
            }
            if (delete) {
                if (users.remove(user) == null) {
                    err.println("gannet-passwd: no user '" + user + "' in " + file);
                    return 1;
                }
                PasswordFile.write(file, users);
                out.println("Deleted user '" + user + "'");
                return 0;
            }
            char[] password = batch ? args[i + 2].toCharArray() : stdin ? readStdin() : prompt(err);
            if (password == null) {
                return 1;
            }
            try {
                users.put(user, PasswordHash.create(password, PasswordHash.DEFAULT_ITERATIONS));
            } finally {
                Arrays.fill(password, '\0');
            }
            PasswordFile.write(file, users);
            out.println("Set the password of '" + user + "' in " + file);
            return 0;
        } catch (IOException | IllegalArgumentException e) {
            err.println("gannet-passwd: " + e.getMessage());
            return 1;
        }
    }

    private static char[] readStdin() throws IOException {
        String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        return line == null ? null : line.toCharArray();
    }

    private static char[] prompt(PrintStream err) {
        Console console = System.console();
        if (console == null) {
            err.println("gannet-passwd: no terminal to ask for the password; use --stdin or -b");
            return null;
        }
        char[] first = console.readPassword("Password: ");
        char[] second = console.readPassword("Password again: ");
        if (first == null || !Arrays.equals(first, second)) {
            err.println("gannet-passwd: the passwords differ");
            return null;
        }
        return first;
    }

    private static void usage(PrintStream s) {
        s.println("usage: gannet-passwd [-c] FILE USER | -b FILE USER PASSWORD | --stdin FILE USER | -D FILE USER");
    }
}
