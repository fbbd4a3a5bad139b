package dev.slipway.registry.models;

import java.nio.file.Path;

/**
 * What a {@code models:/} URI points at right now.
 *
 * @param storageLocation the artifact-store path of the version's sealed artifacts
 * @param localPath the local folder holding those artifacts, for runtimes that read files
 */
public record ResolvedModel(String name, int version, ModelStage stage, String storageLocation,
    Path localPath) {}
