/** The pluggable inference SPI: engines are found with {@link java.util.ServiceLoader}. */
module dev.cerebrum.engine.api {
    exports dev.cerebrum.engine;
    exports dev.cerebrum.engine.spi;

    uses dev.cerebrum.engine.spi.InferenceEngineProvider;
}
