package dev.cerebrum.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's settings tables and deploy/.env.example are what the settings table makes of them. */
class SettingsDocsTest {
    private static final Path ROOT = Path.of(System.getProperty("cerebrum.repo.root", "..")).toAbsolutePath()
            .normalize();

    @Test
    void readmeAndEnvExample_matchTheSettingsTable() throws IOException {
        for (Map.Entry<Path, String> file : SettingsDocs.expected(ROOT).entrySet()) {
            assertEquals(file.getValue(), Files.readString(file.getKey(), StandardCharsets.UTF_8),
                    ROOT.relativize(file.getKey()) + " is out of date with SettingsTable: run ./cerebrum docs");
        }
    }

    @Test
    void envExample_setsNothingButAnEmptyKey_andNamesEverySettingThatMayBeWrittenThere() throws IOException {
        // when the example file is read the way the server reads .env
        Path example = ROOT.resolve(SettingsDocs.ENV_EXAMPLE);
        Map<String, String> vars = DotEnv.read(example);

        // then only the key's line is active, and empty, so every other setting keeps its default
        assertEquals(Map.of("CEREBRUM_API_KEY", ""), vars);
        String text = Files.readString(example);
        for (Setting s : SettingsTable.ALL) {
            boolean listed = text.contains("\n# " + s.name() + "=") || text.contains("\n" + s.name() + "=");
            assertEquals(!s.about().environmentOnly(), listed, s.name() + " in .env.example");
        }
    }

    @Test
    void readmeTables_listEverySettingOnce() throws IOException {
        String readme = Files.readString(ROOT.resolve(SettingsDocs.README));
        Set<String> rows = readme.lines().filter(l -> l.startsWith("| `")).map(l -> l.substring(3, l.indexOf('`', 3)))
                .filter(name -> SettingsTable.find(name).isPresent()).collect(Collectors.toSet());
        assertEquals(SettingsTable.ALL.stream().map(Setting::name).collect(Collectors.toSet()), rows);
        assertEquals(SettingsTable.ALL.size(), readme.lines().filter(l -> l.startsWith("| `CEREBRUM_")
                || l.startsWith("| `VPS_") || l.startsWith("| `MAX_CPU") || l.startsWith("| `ALLOWED_")).count());
    }

    @Test
    void aReadmeWithoutTheMarkers_isRefusedRatherThanGuessedAt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SettingsDocs.replaceBlock("# no markers here\n", SettingsDocs.SERVER_BLOCK, "x"));
        assertTrue(e.getMessage().contains("generated: settings"), e.getMessage());
    }

    @Test
    void replaceBlock_keepsEverythingOutsideTheMarkers() {
        String text = "before\n<!-- generated: settings (./cerebrum docs) -->\nold\n<!-- end: settings -->\nafter\n";
        assertEquals("before\n<!-- generated: settings (./cerebrum docs) -->\nnew\n<!-- end: settings -->\nafter\n",
                SettingsDocs.replaceBlock(text, SettingsDocs.SERVER_BLOCK, "new\n"));
    }
}
