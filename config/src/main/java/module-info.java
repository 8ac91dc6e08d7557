/**
 * The settings of the backend and its launcher: one table of every setting (name, default, bounds,
 * documentation), the sources they are read from (an optional YAML file, {@code .env}, the environment) and
 * the launcher's view of them. The README's Configuration table and {@code deploy/.env.example} are generated
 * from the table.
 */
module dev.cerebrum.config {
    requires dev.cerebrum.engine.api;
    requires org.yaml.snakeyaml;

    exports dev.cerebrum.config;
}
