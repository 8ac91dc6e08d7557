package dev.cerebrum.guard;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads the memory and CPU limits of the cgroup this process runs in, and of every cgroup above it up to
 * the root that is visible here. That is how a {@code docker run --memory/--cpus} or a systemd
 * {@code MemoryMax=/CPUQuota=} reaches the backend. cgroup v2 files ({@code memory.max}, {@code memory.high},
 * {@code memory.current}, {@code memory.stat}, {@code cpu.max}) are read where the memory or CPU controller is
 * on the unified hierarchy; the v1 files ({@code memory.limit_in_bytes}, {@code memory.usage_in_bytes},
 * {@code cpu.cfs_quota_us}) where it is still on a v1 hierarchy, as with Docker on a cgroup-v1 host.
 *
 * <p>The directories are found once, from {@code /proc/self/cgroup} and {@code /proc/self/mountinfo}; the
 * files are read again on every {@link #read()}. Whatever cannot be read counts as "no limit". Tests point
 * the reader at a folder laid out like {@code /}.
 */
final class CgroupReader {
    // cgroup v1 writes "no limit" as the largest page-aligned long; anything this large is no limit.
    private static final long UNLIMITED = 1L << 60;

    private final Controller memory;
    private final Controller cpu;

    /** One controller's cgroup directories, the process's own first, then each parent up to the mount. */
    private record Controller(boolean v2, List<Path> dirs) {
        static final Controller NONE = new Controller(true, List.of());
    }

    private record Mount(String root, String mountPoint, String fsType, List<String> options) {
    }

    private record Membership(String controllers, String path) {
    }

    /** Reads the running system's cgroups. */
    static CgroupReader system() {
        return new CgroupReader(Path.of("/"));
    }

    /** Reads a tree laid out like {@code /}: {@code proc/self/cgroup}, {@code proc/self/mountinfo}, the mounts. */
    CgroupReader(Path root) {
        List<Mount> mounts = mounts(root.resolve("proc/self/mountinfo"));
        List<Membership> memberships = memberships(root.resolve("proc/self/cgroup"));
        this.memory = controller(root, mounts, memberships, "memory");
        this.cpu = controller(root, mounts, memberships, "cpu");
    }

    /** The limits now; {@link CgroupReading#NONE} when there are none. */
    CgroupReading read() {
        long limit = -1;
        long inUse = -1;
        long headroom = Long.MAX_VALUE;
        for (Path dir : memory.dirs()) {
            // v2: memory.high counts too, since past it the kernel throttles the cgroup hard.
            OptionalLong levelLimit = memory.v2()
                    ? min(bytes(dir.resolve("memory.max")), bytes(dir.resolve("memory.high")))
                    : bytes(dir.resolve("memory.limit_in_bytes"));
            if (levelLimit.isEmpty()) {
                continue;
            }
            long workingSet = workingSet(dir, memory.v2());
            long levelHeadroom = Math.max(0, levelLimit.getAsLong() - workingSet);
            if (levelHeadroom < headroom) {
                headroom = levelHeadroom;
                limit = levelLimit.getAsLong();
                inUse = workingSet;
            }
        }
        double quota = 0;
        for (Path dir : cpu.dirs()) {
            double cores = cpu.v2() ? cpuMax(dir.resolve("cpu.max"))
                    : quotaCores(firstLine(dir.resolve("cpu.cfs_quota_us")),
                            firstLine(dir.resolve("cpu.cfs_period_us")));
            if (cores > 0 && (quota == 0 || cores < quota)) {
                quota = cores;
            }
        }
        return limit < 0 && quota == 0 ? CgroupReading.NONE : new CgroupReading(limit, inUse, headroom, quota);
    }

    // ------------------------------------------------------------------ finding the directories

    private static Controller controller(Path root, List<Mount> mounts, List<Membership> memberships, String name) {
        // A controller still mounted on a v1 hierarchy is not on the unified one (a "hybrid" host).
        for (Mount m : mounts) {
            if (m.fsType().equals("cgroup") && m.options().contains(name)) {
                for (Membership g : memberships) {
                    if (List.of(g.controllers().split(",")).contains(name)) {
                        return new Controller(false, dirs(root, m, g.path()));
                    }
                }
                return Controller.NONE;
            }
        }
        for (Mount m : mounts) {
            if (m.fsType().equals("cgroup2")) {
                for (Membership g : memberships) {
                    if (g.controllers().isEmpty()) {
                        return new Controller(true, dirs(root, m, g.path()));
                    }
                }
            }
        }
        return Controller.NONE;
    }

    /** The process's cgroup directory under the mount, then its parents up to the mount point. */
    private static List<Path> dirs(Path root, Mount mount, String cgroupPath) {
        Path top = root.resolve(mount.mountPoint().substring(1));
        String relative = "";
        String mountRoot = mount.root().equals("/") ? "" : mount.root();
        // Outside the mounted part (another cgroup namespace): only the mount itself is visible.
        if (cgroupPath.equals(mountRoot) || cgroupPath.startsWith(mountRoot + "/")) {
            relative = cgroupPath.substring(mountRoot.length());
        }
        while (relative.startsWith("/")) {
            relative = relative.substring(1);
        }
        Path leaf = relative.isEmpty() ? top : top.resolve(relative).normalize();
        if (!leaf.startsWith(top)) {
            leaf = top;
        }
        List<Path> dirs = new ArrayList<>();
        for (Path d = leaf; d != null && d.startsWith(top); d = d.getParent()) {
            if (Files.isDirectory(d)) {
                dirs.add(d);
            }
        }
        return List.copyOf(dirs);
    }

    private static List<Mount> mounts(Path mountinfo) {
        List<Mount> mounts = new ArrayList<>();
        for (String line : lines(mountinfo)) {
            // id parent major:minor root mount-point options [optional...] - fstype source super-options
            String[] f = line.split(" ");
            int dash = List.of(f).indexOf("-");
            if (dash < 6 || dash + 1 >= f.length) {
                continue;
            }
            String fsType = f[dash + 1];
            if (fsType.equals("cgroup") || fsType.equals("cgroup2")) {
                List<String> options = f.length > dash + 3 ? List.of(f[dash + 3].split(",")) : List.of();
                mounts.add(new Mount(unescape(f[3]), unescape(f[4]), fsType, options));
            }
        }
        return mounts;
    }

    private static List<Membership> memberships(Path cgroup) {
        List<Membership> out = new ArrayList<>();
        for (String line : lines(cgroup)) {
            // hierarchy-id:controllers:path; v2 is "0::/path"
            String[] f = line.split(":", 3);
            if (f.length == 3 && f[2].startsWith("/")) {
                String path = f[2].endsWith(" (deleted)") ? f[2].substring(0, f[2].length() - 10) : f[2];
                out.add(new Membership(f[1], path));
            }
        }
        return out;
    }

    /** mountinfo writes space, tab, newline and backslash in paths as octal escapes ({@code \040}). */
    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()
                    && s.substring(i + 1, i + 4).chars().allMatch(d -> d >= '0' && d <= '7')) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    // ------------------------------------------------------------------ reading the files

    /** Usage less inactive page cache, which the kernel can drop: what Docker and the kubelet call usage. */
    private static long workingSet(Path dir, boolean v2) {
        OptionalLong usage = bytes(dir.resolve(v2 ? "memory.current" : "memory.usage_in_bytes"));
        if (usage.isEmpty()) {
            return 0;
        }
        long inactive = stat(dir.resolve("memory.stat"), v2 ? "inactive_file" : "total_inactive_file")
                .or(() -> v2 ? Optional.empty() : stat(dir.resolve("memory.stat"), "inactive_file"))
                .orElse(0L);
        return Math.max(0, usage.getAsLong() - inactive);
    }

    private static Optional<Long> stat(Path file, String key) {
        for (String line : lines(file)) {
            String[] f = line.split(" ");
            if (f.length == 2 && f[0].equals(key)) {
                try {
                    return Optional.of(Long.parseLong(f[1].strip()));
                } catch (NumberFormatException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /** A byte count, or empty for "max", a v1 "no limit", a missing file or anything unreadable. */
    private static OptionalLong bytes(Path file) {
        String v = firstLine(file);
        if (v == null || v.equals("max")) {
            return OptionalLong.empty();
        }
        try {
            long n = Long.parseLong(v);
            return n < 0 || n >= UNLIMITED ? OptionalLong.empty() : OptionalLong.of(n);
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static OptionalLong min(OptionalLong a, OptionalLong b) {
        if (a.isEmpty()) {
            return b;
        }
        return b.isEmpty() ? a : OptionalLong.of(Math.min(a.getAsLong(), b.getAsLong()));
    }

    /** {@code cpu.max}: "QUOTA PERIOD" in microseconds, QUOTA "max" for none. */
    private static double cpuMax(Path file) {
        String v = firstLine(file);
        if (v == null) {
            return 0;
        }
        String[] f = v.split(" ");
        return f.length == 2 ? quotaCores(f[0], f[1]) : 0;
    }

    private static double quotaCores(String quota, String period) {
        if (quota == null || period == null || quota.equals("max")) {
            return 0;
        }
        try {
            long q = Long.parseLong(quota);
            long p = Long.parseLong(period);
            return q > 0 && p > 0 ? (double) q / p : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String firstLine(Path file) {
        List<String> lines = lines(file);
        return lines.isEmpty() ? null : lines.get(0).strip();
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException | SecurityException e) {
            // Absent on hosts and controllers without this file: no limit of that kind applies.
            return List.of();
        }
    }
}
