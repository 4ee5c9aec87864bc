package org.triagerouter.inference;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Compares a manifest with the inputs and outputs the model really declares, so that a wrong manifest
 * stops the worker at start-up instead of producing wrong scores. Symbolic dimensions match anything.
 */
final class SignatureCheck {
    private static final long SYMBOLIC = -1;

    private final ModelManifest manifest;

    private SignatureCheck(ModelManifest manifest) { this.manifest = manifest; }

    /** Returns the largest batch the model accepts: its fixed batch dimension, or unlimited when symbolic. */
    static int verify(ModelManifest manifest, Map<String, NodeInfo> inputs, Map<String, NodeInfo> outputs) throws ModelOpenException {
        SignatureCheck check = new SignatureCheck(manifest);
        int maxBatch = check.input(inputs);
        check.output(outputs);
        return maxBatch;
    }

    private int input(Map<String, NodeInfo> inputs) throws ModelOpenException {
        ModelManifest.Input input = manifest.input();
        NodeInfo node = inputs.get(input.name());
        if (node == null) throw mismatch("manifest input '" + input.name() + "' not in model inputs " + inputs.keySet());
        if (inputs.size() > 1) throw mismatch("model has inputs " + inputs.keySet() + "; only single-input models are supported");
        TensorInfo tensor = floatTensor("input", node);
        long[] shape = tensor.getShape();
        String described = describe(tensor);
        if (shape.length != 4) {
            throw mismatch("model input '" + input.name() + "' has shape " + described + " (rank " + shape.length
                    + "), manifest says NCHW (rank 4)");
        }
        dimension(input.name(), described, "channels", shape[1], input.channels());
        dimension(input.name(), described, "height", shape[2], input.height());
        dimension(input.name(), described, "width", shape[3], input.width());
        return shape[0] > 0 ? (int) Math.min(shape[0], Integer.MAX_VALUE) : Integer.MAX_VALUE;
    }

    private void dimension(String name, String shape, String what, long actual, int declared) throws ModelOpenException {
        if (actual != SYMBOLIC && actual != declared) {
            String has = what.equals("channels") ? actual + (actual == 1 ? " channel" : " channels") : what + " " + actual;
            throw mismatch("model input '" + name + "' has " + has + " (shape " + shape + "), manifest says " + declared);
        }
    }

    private void output(Map<String, NodeInfo> outputs) throws ModelOpenException {
        ModelManifest.Output output = manifest.output();
        NodeInfo node = outputs.get(output.name());
        if (node == null) throw mismatch("manifest output '" + output.name() + "' not in model outputs " + outputs.keySet());
        TensorInfo tensor = floatTensor("output", node);
        long[] shape = tensor.getShape();
        if (shape.length == 0) throw mismatch("model output '" + output.name() + "' is a scalar; it needs a batch dimension");
        long perImage = 1;
        for (int i = 1; i < shape.length; i++) {
            if (shape[i] == SYMBOLIC) return;   // known only at run time; OnnxModel.run checks the real size
            perImage *= shape[i];
        }
        if (perImage != output.labels().size()) {
            throw mismatch("model output '" + output.name() + "' has " + perImage + " values per image (shape " + describe(tensor)
                    + "), manifest lists " + output.labels().size() + " labels " + output.labels());
        }
    }

    private TensorInfo floatTensor(String role, NodeInfo node) throws ModelOpenException {
        if (!(node.getInfo() instanceof TensorInfo tensor)) {
            throw mismatch("model " + role + " '" + node.getName() + "' is not a tensor: " + node.getInfo());
        }
        if (tensor.type != OnnxJavaType.FLOAT) {
            throw mismatch("model " + role + " '" + node.getName() + "' holds " + tensor.type + ", only FLOAT (float32) is supported");
        }
        return tensor;
    }

    private ModelOpenException mismatch(String problem) {
        return new ModelOpenException(manifest.source() + " does not match " + manifest.modelFile().getFileName() + ": " + problem);
    }

    /** The shape as the model declares it, with names for symbolic dimensions: [batch, 1, height, width]. */
    static String describe(TensorInfo tensor) {
        long[] shape = tensor.getShape();
        String[] names = tensor.getDimensionNames();
        List<String> dims = new ArrayList<>(shape.length);
        for (int i = 0; i < shape.length; i++) {
            boolean named = shape[i] == SYMBOLIC && names != null && i < names.length && names[i] != null && !names[i].isEmpty();
            dims.add(named ? names[i] : shape[i] == SYMBOLIC ? "?" : Long.toString(shape[i]));
        }
        return dims.toString();
    }
}
