package dev.cerebrum.guard;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cgroup files as the kernel lays them out, written into a folder that stands for {@code /}: the
 * process's {@code /proc/self/cgroup} and {@code mountinfo}, and the cgroup directories with their files.
 */
class CgroupReaderTest {
    private static final long MB = 1024L * 1024;
    private static final String V2_MOUNT = "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4"
            + " - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n";
    private static final String STAT = """
            anon 104857600
            file 52428800
            active_file 20971520
            inactive_file 31457280
            """;

    @TempDir
    Path root;

    // ------------------------------------------------------------------ cgroup v2

    @Test
    void v2_memoryMaxAsANumber_isTheLimit_andTheWorkingSetLeavesOutInactiveFiles() {
        // given a container: its own cgroup namespace, so the process sits at the mount's root
        v2Process("/");
        cgroup("sys/fs/cgroup", "memory.max", "536870912", "memory.high", "max", "memory.current", "209715200",
                "memory.stat", STAT, "cpu.max", "max 100000");

        // when
        CgroupReading r = new CgroupReader(root).read();

        // then working set = 200 MB - 30 MB inactive files; headroom = 512 MB - 170 MB
        assertEquals(512 * MB, r.memoryLimitBytes());
        assertEquals(170 * MB, r.memoryInUseBytes());
        assertEquals(342 * MB, r.memoryHeadroomBytes());
        assertFalse(r.limitsCpu(), "cpu.max 'max 100000' is no quota");
    }

    @Test
    void v2_memoryMaxAndCpuMaxSetToMax_areNoLimits() {
        v2Process("/");
        cgroup("sys/fs/cgroup", "memory.max", "max", "memory.high", "max", "memory.current", "209715200",
                "memory.stat", STAT, "cpu.max", "max 100000");

        assertEquals(CgroupReading.NONE, new CgroupReader(root).read());
    }

    @Test
    void v2_cpuMaxQuota_isQuotaOverPeriodInCores() {
        v2Process("/");
        cgroup("sys/fs/cgroup", "cpu.max", "95000 100000");

        CgroupReading r = new CgroupReader(root).read();

        assertEquals(0.95, r.cpuQuotaCores(), 1e-9);
        assertFalse(r.limitsMemory());
        assertEquals(Long.MAX_VALUE, r.memoryHeadroomBytes());
    }

    @Test
    void v2_memoryHigh_countsWhenLowerThanMemoryMax() {
        // given a systemd unit with MemoryHigh=6000M and MemoryMax=6500M
        v2Process("/system.slice/cerebrum-backend.service");
        cgroup("sys/fs/cgroup/system.slice/cerebrum-backend.service", "memory.max", Long.toString(6500 * MB),
                "memory.high", Long.toString(6000 * MB), "memory.current", Long.toString(1000 * MB),
                "memory.stat", "inactive_file 0\n", "cpu.max", "95000 100000");

        CgroupReading r = new CgroupReader(root).read();

        assertEquals(6000 * MB, r.memoryLimitBytes());
        assertEquals(5000 * MB, r.memoryHeadroomBytes());
        assertEquals(0.95, r.cpuQuotaCores(), 1e-9);
    }

    @Test
    void v2_nestedHierarchy_takesTheLevelWithTheLeastHeadroom_andTheTightestQuota() {
        // given a loose limit on the process's own cgroup and a tight one on a parent slice
        v2Process("/cerebrum.slice/backend.service");
        cgroup("sys/fs/cgroup", "cgroup.controllers", "cpu memory");
        cgroup("sys/fs/cgroup/cerebrum.slice", "memory.max", Long.toString(1024 * MB),
                "memory.current", Long.toString(900 * MB), "memory.stat", "inactive_file 104857600\n",
                "cpu.max", "150000 100000");
        cgroup("sys/fs/cgroup/cerebrum.slice/backend.service", "memory.max", Long.toString(4096 * MB),
                "memory.current", Long.toString(300 * MB), "memory.stat", "inactive_file 0\n",
                "cpu.max", "50000 100000");

        CgroupReading r = new CgroupReader(root).read();

        // then the slice leaves 1024 - (900 - 100) = 224 MB, less than the service's 4096 - 300
        assertEquals(1024 * MB, r.memoryLimitBytes());
        assertEquals(800 * MB, r.memoryInUseBytes());
        assertEquals(224 * MB, r.memoryHeadroomBytes());
        assertEquals(0.5, r.cpuQuotaCores(), 1e-9);
    }

    @Test
    void v2_workingSetAboveTheLimit_leavesNoHeadroom() {
        v2Process("/");
        cgroup("sys/fs/cgroup", "memory.max", Long.toString(100 * MB), "memory.current", Long.toString(120 * MB));

        CgroupReading r = new CgroupReader(root).read();

        assertEquals(0, r.memoryHeadroomBytes());
        assertEquals(120 * MB, r.memoryInUseBytes());
    }

    // ------------------------------------------------------------------ cgroup v1 (Docker on a v1 host)

    @Test
    void v1_dockerContainer_readsLimitInBytesAndCfsQuota() {
        // given what docker run --memory 300m --cpus 0.5 shows inside a container on a cgroup-v1 host
        String id = "/docker/4fd3bb3b1ab8";
        write("proc/self/cgroup", "4:memory:" + id + "\n1:cpu,cpuacct:" + id + "\n0::" + id + "\n");
        write("proc/self/mountinfo", "80 79 0:47 / /sys/fs/cgroup rw,nosuid - tmpfs tmpfs rw,mode=755\n"
                + "81 80 0:29 " + id + " /sys/fs/cgroup/cpu,cpuacct ro,nosuid - cgroup cgroup rw,cpu,cpuacct\n"
                + "84 80 0:32 " + id + " /sys/fs/cgroup/memory ro,nosuid - cgroup cgroup rw,memory\n");
        cgroup("sys/fs/cgroup/memory", "memory.limit_in_bytes", "314572800", "memory.usage_in_bytes", "104857600",
                "memory.stat", "cache 3391488\ninactive_file 1048576\ntotal_inactive_file 4194304\n");
        cgroup("sys/fs/cgroup/cpu,cpuacct", "cpu.cfs_quota_us", "50000", "cpu.cfs_period_us", "100000");

        CgroupReading r = new CgroupReader(root).read();

        // then usage less the hierarchy's inactive files (total_inactive_file)
        assertEquals(300 * MB, r.memoryLimitBytes());
        assertEquals(96 * MB, r.memoryInUseBytes());
        assertEquals(204 * MB, r.memoryHeadroomBytes());
        assertEquals(0.5, r.cpuQuotaCores(), 1e-9);
    }

    @Test
    void v1_unlimited_isTheLargestPageAlignedLong_andQuotaMinusOne() {
        write("proc/self/cgroup", "4:memory:/\n1:cpu:/\n0::/\n");
        write("proc/self/mountinfo", "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
                + "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
                + "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n");
        cgroup("sys/fs/cgroup/memory", "memory.limit_in_bytes", "9223372036854771712",
                "memory.usage_in_bytes", "104857600");
        cgroup("sys/fs/cgroup/cpu", "cpu.cfs_quota_us", "-1", "cpu.cfs_period_us", "100000");
        // the unified hierarchy of a hybrid host holds no controllers: it must not be read for memory
        cgroup("sys/fs/cgroup/unified", "memory.max", "1048576");

        assertEquals(CgroupReading.NONE, new CgroupReader(root).read());
    }

    // ------------------------------------------------------------------ no cgroup

    @Test
    void noCgroupFiles_meanNoLimits() {
        assertEquals(CgroupReading.NONE, new CgroupReader(root).read());
    }

    @Test
    void aV2MembershipWithoutAMountedHierarchy_orUnreadableValues_meanNoLimits() {
        write("proc/self/cgroup", "0::/some/where\n");
        write("proc/self/mountinfo", "22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n");
        assertEquals(CgroupReading.NONE, new CgroupReader(root).read());

        v2Process("/");
        cgroup("sys/fs/cgroup", "memory.max", "lots", "cpu.max", "0 100000", "memory.current", "");
        assertEquals(CgroupReading.NONE, new CgroupReader(root).read());
    }

    @Test
    void theFilesAreReadAgainOnEveryRead() {
        v2Process("/");
        cgroup("sys/fs/cgroup", "memory.max", Long.toString(512 * MB), "memory.current", Long.toString(100 * MB));
        CgroupReader reader = new CgroupReader(root);
        assertEquals(412 * MB, reader.read().memoryHeadroomBytes());

        cgroup("sys/fs/cgroup", "memory.current", Long.toString(400 * MB));

        assertEquals(112 * MB, reader.read().memoryHeadroomBytes());
        assertTrue(reader.read().limitsMemory());
    }

    @Test
    void theMachineThisRunsOn_givesAReadingWithoutFailing() {
        CgroupReading r = CgroupReader.system().read();
        assertTrue(r.memoryHeadroomBytes() >= 0);
        assertTrue(r.cpuQuotaCores() >= 0);
    }

    // ------------------------------------------------------------------ fixtures

    private void v2Process(String cgroupPath) {
        write("proc/self/cgroup", "0::" + cgroupPath + "\n");
        write("proc/self/mountinfo", "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n" + V2_MOUNT);
    }

    /** A cgroup directory with files given as name, content pairs. */
    private void cgroup(String dir, String... files) {
        try {
            Files.createDirectories(root.resolve(dir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int i = 0; i < files.length; i += 2) {
            write(dir + "/" + files[i], files[i + 1].endsWith("\n") || files[i + 1].isEmpty() ? files[i + 1]
                    : files[i + 1] + "\n");
        }
    }

    private void write(String file, String content) {
        try {
            Path p = root.resolve(file);
            Files.createDirectories(p.getParent());
            Files.writeString(p, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
