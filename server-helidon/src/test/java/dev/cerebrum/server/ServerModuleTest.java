package dev.cerebrum.server;

import dev.cerebrum.engine.InferenceEngines;
import org.junit.jupiter.api.Test;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server is written against the engine SPI alone: engines are run-time plug-ins found by ServiceLoader. */
class ServerModuleTest {

    @Test
    void serverModule_requiresNoEngineModule() throws Exception {
        Path classes = Path.of(CerebrumServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ModuleDescriptor descriptor = ModuleFinder.of(classes).findAll().stream()
                .map(ModuleReference::descriptor)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no module descriptor in " + classes));
        assertEquals("dev.cerebrum.server", descriptor.name());
        List<String> engines = descriptor.requires().stream()
                .map(ModuleDescriptor.Requires::name)
                .filter(name -> name.startsWith("dev.cerebrum.engine.") && !name.equals("dev.cerebrum.engine.api"))
                .toList();
        assertEquals(List.of(), engines, "the server must compile against engine-api only");
    }

    @Test
    void theServer_runsAsItsModule_withOnlyItsApiPackageExported() {
        Module server = CerebrumServer.class.getModule();
        assertTrue(server.isNamed(), "the tests run on the module path, in the server's module");
        assertEquals("dev.cerebrum.server", server.getName());
        assertEquals(java.util.Set.of("dev.cerebrum.server"), server.getDescriptor().exports().stream()
                .map(ModuleDescriptor.Exports::source).collect(java.util.stream.Collectors.toSet()));
        Module guard = dev.cerebrum.guard.GuardSettings.class.getModule();
        assertTrue(guard.isNamed() && !guard.isOpen("dev.cerebrum.guard"), "its dependencies are modules too, closed");
    }

    @Test
    void engines_areFoundAtRunTime() {
        assertTrue(InferenceEngines.available().contains("llamacpp"),
                "the llama.cpp engine is a run-time dependency found by ServiceLoader: " + InferenceEngines.available());
    }
}
