package dev.cerebrum.client.internal;

import dev.cerebrum.client.CerebrumClient;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tests run in the client's module, as an application that requires it does: its internals stay closed. */
class ClientModuleTest {

    @Test
    void theClient_isItsModule_andExportsItsApiOnly() {
        Module client = CerebrumClient.class.getModule();
        assertTrue(client.isNamed(), "the tests run on the module path");
        assertEquals("dev.cerebrum.client", client.getName());
        assertTrue(client.isExported("dev.cerebrum.client"));
        assertFalse(client.isExported("dev.cerebrum.client.internal"), "the implementation is not exported");
        assertEquals(client, HttpCerebrumClient.class.getModule());
    }
}
