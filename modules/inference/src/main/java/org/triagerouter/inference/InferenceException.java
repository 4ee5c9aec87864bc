package org.triagerouter.inference;

/** A batch the model could not score: ONNX Runtime failed, or the model's output is unusable (wrong size, NaN). */
public class InferenceException extends Exception {
    public InferenceException(String message) { super(message); }

    public InferenceException(String message, Throwable cause) { super(message, cause); }
}
