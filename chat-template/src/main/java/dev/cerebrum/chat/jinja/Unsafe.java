package dev.cerebrum.chat.jinja;

/** An attribute the sandbox refuses (a mutating method, or a name starting with "_"); using it raises. */
final class Unsafe {

    private final String message;

    Unsafe(String attribute, Object object) {
        this.message = "access to attribute '" + attribute + "' of '" + Py.typeName(object) + "' object is unsafe.";
    }

    JinjaRuntimeError fail() {
        return JinjaRuntimeError.type(message);
    }
}
