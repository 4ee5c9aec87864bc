package org.triagerouter.inference;

import java.util.Arrays;
import java.util.Locale;

/** Where ONNX Runtime runs the model, as configured; {@link OnnxModel#provider()} tells what it actually got. */
public enum ExecutionProvider {
    /** CUDA when this build and machine have it, otherwise CPU (logged once, with the reason). */
    AUTO,
    /** CUDA or nothing: refusing to start beats silently running a GPU node on its CPU. */
    CUDA,
    /** Never tries CUDA. */
    CPU;

    /** The name used in configuration and reported by {@link OnnxModel#provider()}. */
    public String configName() { return name().toLowerCase(Locale.ROOT); }

    public static ExecutionProvider parse(String value) {
        for (ExecutionProvider p : values()) if (p.configName().equalsIgnoreCase(value.strip())) return p;
        throw new IllegalArgumentException("execution provider must be one of "
                + Arrays.stream(values()).map(ExecutionProvider::configName).toList() + ", got '" + value + "'");
    }
}
