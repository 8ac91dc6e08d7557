package dev.cerebrum.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Reads Linux /proc; every figure is -1 (or empty) where /proc is not available. */
final class ProcFs {
    private ProcFs() {
    }

    /**
     * Resident memory of a process.
     *
     * @param rss  VmRSS in bytes
     * @param anon RssAnon in bytes
     * @param file RssFile in bytes
     */
    record Rss(long rss, long anon, long file) {
        static final Rss UNKNOWN = new Rss(-1, -1, -1);
    }

    /** The resident memory of {@code pid}, or {@link Rss#UNKNOWN}. */
    static Rss rss(long pid) {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.UTF_8);
            return new Rss(kib(lines, "VmRSS:"), kib(lines, "RssAnon:"), kib(lines, "RssFile:"));
        } catch (IOException | RuntimeException e) {
            return Rss.UNKNOWN;
        }
    }

    /** MemAvailable of the host in bytes, or -1. */
    static long memAvailable() {
        return meminfo("MemAvailable:");
    }

    /** MemTotal of the host in bytes, or -1. */
    static long memTotal() {
        return meminfo("MemTotal:");
    }

    /** The first "model name" of /proc/cpuinfo, or the os.arch property. */
    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return System.getProperty("os.arch");
    }

    /** The SIMD flags llama.cpp cares about that this CPU has. */
    static String simdFlags() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
                if (line.startsWith("flags")) {
                    List<String> flags = List.of(line.substring(line.indexOf(':') + 1).strip().split("\\s+"));
                    return String.join(" ", List.of("avx", "avx2", "fma", "f16c", "avx512f", "avx512_vnni").stream()
                            .filter(flags::contains).toList());
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return "";
    }

    /** The first three fields of /proc/loadavg, or "". */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
            return f.length >= 3 ? f[0] + " " + f[1] + " " + f[2] : "";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** The CPU time (user + system) the process's own threads used, in ms; NaN when unknown. */
    static double cpuMs(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split("\\s+");
            // f[0] is field 3 (state); utime is field 14, stime 15, in USER_HZ ticks of 10 ms.
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10.0;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** The first live child of {@code pid} whose command line contains {@code marker}. */
    static Optional<ProcessHandle> child(long pid, String marker) {
        return ProcessHandle.of(pid).stream()
                .flatMap(ProcessHandle::children)
                .filter(ProcessHandle::isAlive)
                .filter(p -> commandLine(p.pid()).contains(marker))
                .findFirst();
    }

    /** The command line of a process with spaces between arguments, or "". */
    static String commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException | RuntimeException e) {
            return ProcessHandle.of(pid).flatMap(p -> p.info().commandLine()).orElse("");
        }
    }

    private static long meminfo(String key) {
        try {
            return kib(Files.readAllLines(Path.of("/proc/meminfo"), StandardCharsets.UTF_8), key);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long kib(List<String> lines, String key) {
        for (String line : lines) {
            if (line.startsWith(key)) {
                String[] f = line.substring(key.length()).strip().split("\\s+");
                return Long.parseLong(f[0]) * 1024;
            }
        }
        return -1;
    }
}
