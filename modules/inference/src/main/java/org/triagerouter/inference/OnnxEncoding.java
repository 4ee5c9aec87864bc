package org.triagerouter.inference;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/** The few ONNX messages the demo model needs, with the field numbers of onnx/onnx.proto. */
final class OnnxEncoding {
    private OnnxEncoding() {}

    // ModelProto
    private static final int MODEL_IR_VERSION = 1, MODEL_PRODUCER_NAME = 2, MODEL_GRAPH = 7, MODEL_OPSET_IMPORT = 8;
    // OperatorSetIdProto
    private static final int OPSET_DOMAIN = 1, OPSET_VERSION = 2;
    // GraphProto
    private static final int GRAPH_NODE = 1, GRAPH_NAME = 2, GRAPH_INITIALIZER = 5, GRAPH_INPUT = 11, GRAPH_OUTPUT = 12;
    // NodeProto
    private static final int NODE_INPUT = 1, NODE_OUTPUT = 2, NODE_NAME = 3, NODE_OP_TYPE = 4, NODE_ATTRIBUTE = 5;
    // AttributeProto and its AttributeType INT
    private static final int ATTRIBUTE_NAME = 1, ATTRIBUTE_I = 3, ATTRIBUTE_TYPE = 20, ATTRIBUTE_TYPE_INT = 2;
    // TensorProto and its DataType FLOAT
    private static final int TENSOR_DATA_TYPE = 2, TENSOR_NAME = 8, TENSOR_RAW_DATA = 9, FLOAT = 1;
    // ValueInfoProto, TypeProto, TypeProto.Tensor, TensorShapeProto, TensorShapeProto.Dimension
    private static final int VALUE_INFO_NAME = 1, VALUE_INFO_TYPE = 2, TYPE_TENSOR_TYPE = 1;
    private static final int TENSOR_TYPE_ELEM_TYPE = 1, TENSOR_TYPE_SHAPE = 2, SHAPE_DIM = 1, DIM_VALUE = 1, DIM_PARAM = 2;

    /** A tensor dimension: a fixed size, or a name such as "batch" for a size chosen at run time. */
    record Dim(long value, String param) {
        static Dim of(long value) { return new Dim(value, null); }
        static Dim named(String param) { return new Dim(0, param); }
    }

    static ProtobufMessage model(long irVersion, long opsetVersion, String producer, ProtobufMessage graph) {
        return new ProtobufMessage()
                .varint(MODEL_IR_VERSION, irVersion)
                .string(MODEL_PRODUCER_NAME, producer)
                .message(MODEL_GRAPH, graph)
                .message(MODEL_OPSET_IMPORT, new ProtobufMessage().string(OPSET_DOMAIN, "").varint(OPSET_VERSION, opsetVersion));
    }

    static ProtobufMessage graph(String name, List<ProtobufMessage> nodes, List<ProtobufMessage> initializers,
                                 List<ProtobufMessage> inputs, List<ProtobufMessage> outputs) {
        ProtobufMessage graph = new ProtobufMessage();
        nodes.forEach(n -> graph.message(GRAPH_NODE, n));
        graph.string(GRAPH_NAME, name);
        initializers.forEach(t -> graph.message(GRAPH_INITIALIZER, t));
        inputs.forEach(v -> graph.message(GRAPH_INPUT, v));
        outputs.forEach(v -> graph.message(GRAPH_OUTPUT, v));
        return graph;
    }

    static ProtobufMessage node(String name, String opType, List<String> inputs, String output, ProtobufMessage... attributes) {
        ProtobufMessage node = new ProtobufMessage();
        inputs.forEach(i -> node.string(NODE_INPUT, i));
        node.string(NODE_OUTPUT, output).string(NODE_NAME, name).string(NODE_OP_TYPE, opType);
        for (ProtobufMessage attribute : attributes) node.message(NODE_ATTRIBUTE, attribute);
        return node;
    }

    static ProtobufMessage intAttribute(String name, long value) {
        return new ProtobufMessage().string(ATTRIBUTE_NAME, name).varint(ATTRIBUTE_I, value).varint(ATTRIBUTE_TYPE, ATTRIBUTE_TYPE_INT);
    }

    /** A float scalar (no dims) stored as little-endian raw data. */
    static ProtobufMessage floatScalar(String name, float value) {
        byte[] raw = ByteBuffer.allocate(Float.BYTES).order(ByteOrder.LITTLE_ENDIAN).putFloat(value).array();
        return new ProtobufMessage().varint(TENSOR_DATA_TYPE, FLOAT).string(TENSOR_NAME, name).bytes(TENSOR_RAW_DATA, raw);
    }

    static ProtobufMessage floatTensorInfo(String name, Dim... dims) {
        ProtobufMessage shape = new ProtobufMessage();
        for (Dim dim : dims) {
            shape.message(SHAPE_DIM, dim.param() == null
                    ? new ProtobufMessage().varint(DIM_VALUE, dim.value())
                    : new ProtobufMessage().string(DIM_PARAM, dim.param()));
        }
        ProtobufMessage tensorType = new ProtobufMessage().varint(TENSOR_TYPE_ELEM_TYPE, FLOAT).message(TENSOR_TYPE_SHAPE, shape);
        return new ProtobufMessage().string(VALUE_INFO_NAME, name)
                .message(VALUE_INFO_TYPE, new ProtobufMessage().message(TYPE_TENSOR_TYPE, tensorType));
    }
}
