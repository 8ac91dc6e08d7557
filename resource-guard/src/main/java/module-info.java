/** Model registry and residency, host protection and admission. */
module dev.cerebrum.guard {
    requires transitive dev.cerebrum.engine.api;
    requires dev.cerebrum.config;
    requires com.github.oshi;
    requires org.yaml.snakeyaml;
    requires transitive micrometer.core;

    exports dev.cerebrum.guard;
}
