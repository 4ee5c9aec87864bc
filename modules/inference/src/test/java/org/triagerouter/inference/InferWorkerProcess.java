package org.triagerouter.inference;

import java.nio.file.Path;
import java.time.Duration;
import org.triagerouter.store.Database;
import org.triagerouter.store.DatabaseSettings;
import org.triagerouter.store.LeaseKeeper;

/** An infer worker in a process of its own, for the test that kills one: args url user manifest leaseMs maxWaitMs batch owner. */
public final class InferWorkerProcess {
    public static void main(String[] args) throws Exception {
        Database database = new Database(new DatabaseSettings(args[0], args[1], "", 4, Duration.ofSeconds(5)));
        OnnxModel model = OnnxModel.open(ModelManifest.load(Path.of(args[2])), ExecutionProvider.CPU, 1);
        InferSettings settings = new InferSettings(Integer.parseInt(args[5]), Duration.ofMillis(Long.parseLong(args[4])), Duration.ofMillis(200),
                "child");
        new InferWorker(database, new LeaseKeeper(database, Duration.ofMillis(Long.parseLong(args[3]))), model, settings, args[6]).start();
        System.out.println("worker started");
        Thread.sleep(Long.MAX_VALUE);
    }
}
