// Drives org.sourcelab:kafka-connect-client (an independent Java REST client for Kafka Connect,
// used by AKHQ) through every call it supports against a running worker, checking each answer.
// Launched as a single-file source program by sourcelab-client.int.test.ts:
//   java -cp '<client jars>/*' SluiceClientCheck.java <base url> <scratch dir> [user password]
// Prints one line per check, "PASS <name>" or "FAIL <name>: <reason>", then "N passed, M failed";
// exits 0 only if every check passed.
import java.io.File;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.sourcelab.kafka.connect.apiclient.Configuration;
import org.sourcelab.kafka.connect.apiclient.KafkaConnectClient;
import org.sourcelab.kafka.connect.apiclient.request.dto.ConnectServerVersion;
import org.sourcelab.kafka.connect.apiclient.request.dto.ConnectorDefinition;
import org.sourcelab.kafka.connect.apiclient.request.dto.ConnectorPlugin;
import org.sourcelab.kafka.connect.apiclient.request.dto.ConnectorPluginConfigDefinition;
import org.sourcelab.kafka.connect.apiclient.request.dto.ConnectorPluginConfigValidationResults;
import org.sourcelab.kafka.connect.apiclient.request.dto.ConnectorStatus;
import org.sourcelab.kafka.connect.apiclient.request.dto.ConnectorTopics;
import org.sourcelab.kafka.connect.apiclient.request.dto.ConnectorsWithExpandedInfo;
import org.sourcelab.kafka.connect.apiclient.request.dto.ConnectorsWithExpandedMetadata;
import org.sourcelab.kafka.connect.apiclient.request.dto.ConnectorsWithExpandedStatus;
import org.sourcelab.kafka.connect.apiclient.request.dto.NewConnectorDefinition;
import org.sourcelab.kafka.connect.apiclient.request.dto.Task;
import org.sourcelab.kafka.connect.apiclient.request.dto.TaskStatus;
import org.sourcelab.kafka.connect.apiclient.request.post.PostConnectorRestart;
import org.sourcelab.kafka.connect.apiclient.rest.exceptions.ConcurrentConfigModificationException;
import org.sourcelab.kafka.connect.apiclient.rest.exceptions.InvalidRequestException;
import org.sourcelab.kafka.connect.apiclient.rest.exceptions.ResourceNotFoundException;
import org.sourcelab.kafka.connect.apiclient.rest.exceptions.UnauthorizedRequestException;

public class SluiceClientCheck {
    static final String SINK = "org.apache.kafka.connect.file.FileStreamSinkConnector";
    static final String NAME = "client-check-sink";
    static int passed = 0;
    static int failed = 0;

    interface Check { void run() throws Exception; }

    static void check(String name, Check body) {
        try {
            body.run();
            passed++;
            System.out.println("PASS " + name);
        } catch (Throwable t) {
            failed++;
            String reason = String.valueOf(t.getMessage()).replace('\n', ' ');
            if (reason.length() > 400) reason = reason.substring(0, 400) + "...";
            System.out.println("FAIL " + name + ": " + t.getClass().getSimpleName() + ": " + reason);
        }
    }

    static void expect(boolean condition, String what) {
        if (!condition) throw new AssertionError(what);
    }

    static <T extends Throwable> void expectThrows(Class<T> type, Supplier<?> call) {
        try {
            Object result = call.get();
            throw new AssertionError("expected " + type.getSimpleName() + " but got " + result);
        } catch (Throwable t) {
            if (!type.isInstance(t)) throw new AssertionError("expected " + type.getSimpleName() + " but got " + t);
        }
    }

    /** Polls the connector status until its connector and tasks are all in `state`. */
    static ConnectorStatus awaitState(KafkaConnectClient client, String state, int tasks) throws InterruptedException {
        ConnectorStatus last = null;
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            last = client.getConnectorStatus(NAME);
            boolean tasksMatch = last.getTasks().size() == tasks
                && last.getTasks().stream().allMatch(t -> state.equals(t.getState()));
            if (state.equals(last.getConnector().get("state")) && tasksMatch) return last;
            Thread.sleep(200);
        }
        throw new AssertionError("connector never reached " + state + ": " + last);
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        File scratch = new File(args[1]);
        String user = args.length > 3 ? args[2] : null;
        String password = args.length > 3 ? args[3] : null;

        Configuration configuration = new Configuration(url).useRequestTimeoutInSeconds(30);
        if (user != null) {
            KafkaConnectClient anonymous = new KafkaConnectClient(new Configuration(url));
            check("anonymous client is refused with 401", () ->
                expectThrows(UnauthorizedRequestException.class, anonymous::getConnectors));
            KafkaConnectClient wrong = new KafkaConnectClient(new Configuration(url).useBasicAuth(user, password + "x"));
            check("wrong password is refused with 401", () ->
                expectThrows(UnauthorizedRequestException.class, wrong::getConnectors));
            configuration.useBasicAuth(user, password);
        }
        KafkaConnectClient client = new KafkaConnectClient(configuration);
        File sinkFile = new File(scratch, "client-sink.txt");
        Map<String, String> config = new HashMap<>();
        config.put("connector.class", SINK);
        config.put("tasks.max", "1");
        config.put("topics", "client-check");
        config.put("file", sinkFile.getAbsolutePath());

        check("getConnectServerVersion", () -> {
            ConnectServerVersion v = client.getConnectServerVersion();
            expect(v.getVersion() != null && !v.getVersion().isEmpty(), "version: " + v);
            expect(v.getKafkaClusterId() != null, "kafka cluster id: " + v);
        });
        check("getConnectorPlugins", () -> {
            Collection<ConnectorPlugin> plugins = client.getConnectorPlugins();
            expect(plugins.stream().anyMatch(p -> SINK.equals(p.getClassName()) && "sink".equals(p.getType())), "plugins: " + plugins);
        });
        check("validateConnectorPluginConfig reports errors", () -> {
            Map<String, String> bad = new HashMap<>(config);
            bad.put("tasks.max", "lots");
            ConnectorPluginConfigValidationResults r = client.validateConnectorPluginConfig(
                new ConnectorPluginConfigDefinition("FileStreamSinkConnector", bad));
            expect(r.getErrorCount() >= 1, "error count: " + r.getErrorCount());
            expect(r.getConfigs().stream().anyMatch(c -> c.getValue() != null && "tasks.max".equals(c.getValue().getName())
                && !c.getValue().getErrors().isEmpty()), "tasks.max error missing");
        });
        check("validateConnectorPluginConfig accepts a good config", () -> {
            // As in Kafka Connect, `name` is a required key of the validated config.
            Map<String, String> named = new HashMap<>(config);
            named.put("name", NAME);
            ConnectorPluginConfigValidationResults r = client.validateConnectorPluginConfig(
                new ConnectorPluginConfigDefinition("FileStreamSinkConnector", named));
            expect(r.getErrorCount() == 0, "error count: " + r.getErrorCount() + " " + r);
        });
        check("addConnector", () -> {
            ConnectorDefinition created = client.addConnector(new NewConnectorDefinition(NAME, config));
            expect(NAME.equals(created.getName()), "name: " + created);
            expect("sink".equals(created.getType()), "type: " + created);
            expect(sinkFile.getAbsolutePath().equals(created.getConfig().get("file")), "config: " + created);
        });
        check("addConnector twice is a 409", () ->
            expectThrows(ConcurrentConfigModificationException.class, () -> client.addConnector(new NewConnectorDefinition(NAME, config))));
        check("addConnector with an invalid config is a 400", () -> {
            Map<String, String> bad = new HashMap<>(config);
            bad.put("tasks.max", "lots");
            try {
                client.addConnector(new NewConnectorDefinition("client-check-bad", bad));
                throw new AssertionError("accepted an invalid config");
            } catch (InvalidRequestException e) {
                expect(e.getErrorCode() == 400, "error code " + e.getErrorCode());
                expect(!(e instanceof ConcurrentConfigModificationException) && !(e instanceof ResourceNotFoundException), e.toString());
            }
        });
        check("getConnectors", () -> expect(client.getConnectors().contains(NAME), "connectors: " + client.getConnectors()));
        check("getConnectorStatus reaches RUNNING", () -> {
            ConnectorStatus s = awaitState(client, "RUNNING", 1);
            expect("sink".equals(s.getType()), "type: " + s);
            expect(s.getConnector().get("worker_id") != null, "worker_id: " + s);
        });
        check("getConnectorsWithExpandedStatus", () -> {
            ConnectorsWithExpandedStatus r = client.getConnectorsWithExpandedStatus();
            expect(r.getConnectorNames().contains(NAME), "names: " + r.getConnectorNames());
            expect("RUNNING".equals(r.getStatusForConnector(NAME).getConnector().get("state")), "status: " + r);
        });
        check("getConnectorsWithExpandedInfo", () -> {
            ConnectorsWithExpandedInfo r = client.getConnectorsWithExpandedInfo();
            expect(SINK.equals(r.getDefinitionForConnector(NAME).getConfig().get("connector.class")), "info: " + r);
        });
        check("getConnectorsWithAllExpandedMetadata", () -> {
            ConnectorsWithExpandedMetadata r = client.getConnectorsWithAllExpandedMetadata();
            expect(r.getStatusForConnector(NAME) != null && r.getDefinitionForConnector(NAME) != null, "metadata: " + r);
        });
        check("getConnector", () -> {
            ConnectorDefinition d = client.getConnector(NAME);
            expect(d.getTasks().size() == 1 && d.getTasks().get(0).getTask() == 0, "tasks: " + d);
        });
        check("getConnectorConfig", () -> {
            Map<String, String> c = client.getConnectorConfig(NAME);
            expect(NAME.equals(c.get("name")) && "client-check".equals(c.get("topics")), "config: " + c);
        });
        check("getConnectorTasks", () -> {
            Collection<Task> tasks = client.getConnectorTasks(NAME);
            expect(tasks.size() == 1, "tasks: " + tasks);
            Task t = tasks.iterator().next();
            expect(NAME.equals(t.getId().getConnector()) && t.getId().getTask() == 0, "task id: " + t);
        });
        check("getConnectorTaskStatus", () -> {
            TaskStatus s = client.getConnectorTaskStatus(NAME, 0);
            expect(s.getId() == 0 && "RUNNING".equals(s.getState()), "task status: " + s);
        });
        check("getConnectorTopics", () -> {
            ConnectorTopics t = client.getConnectorTopics(NAME);
            expect(NAME.equals(t.getName()), "topics: " + t);
        });
        check("resetConnectorTopics", () -> expect(client.resetConnectorTopics(NAME), "reset"));
        check("updateConnectorConfig", () -> {
            Map<String, String> updated = new HashMap<>(config);
            updated.put("topics", "client-check-2");
            ConnectorDefinition d = client.updateConnectorConfig(NAME, updated);
            expect("client-check-2".equals(d.getConfig().get("topics")), "updated: " + d);
            expect("client-check-2".equals(client.getConnectorConfig(NAME).get("topics")), "stored");
        });
        check("pauseConnector", () -> {
            expect(client.pauseConnector(NAME), "pause");
            awaitState(client, "PAUSED", 1);
        });
        check("resumeConnector", () -> {
            expect(client.resumeConnector(NAME), "resume");
            awaitState(client, "RUNNING", 1);
        });
        check("restartConnector", () -> {
            expect(client.restartConnector(NAME), "restart");
            awaitState(client, "RUNNING", 1);
        });
        check("restartConnector with includeTasks and onlyFailed", () -> {
            expect(client.restartConnector(new PostConnectorRestart(NAME).withIncludeTasks(true).withOnlyFailed(false)), "restart with tasks");
            awaitState(client, "RUNNING", 1);
            expect(client.restartConnector(new PostConnectorRestart(NAME).withIncludeTasks(true).withOnlyFailed(true)), "restart failed only");
            awaitState(client, "RUNNING", 1);
        });
        check("restartConnectorTask", () -> {
            expect(client.restartConnectorTask(NAME, 0), "task restart");
            awaitState(client, "RUNNING", 1);
        });
        check("stopConnector", () -> {
            expect(client.stopConnector(NAME), "stop");
            awaitState(client, "STOPPED", 0);
        });
        check("resumeConnector after stop", () -> {
            expect(client.resumeConnector(NAME), "resume");
            awaitState(client, "RUNNING", 1);
        });
        check("unknown connector is a 404", () -> {
            expectThrows(ResourceNotFoundException.class, () -> client.getConnector("client-check-nope"));
            expectThrows(ResourceNotFoundException.class, () -> client.getConnectorStatus("client-check-nope"));
            expectThrows(ResourceNotFoundException.class, () -> client.deleteConnector("client-check-nope"));
            expectThrows(ResourceNotFoundException.class, () -> client.pauseConnector("client-check-nope"));
        });
        check("deleteConnector", () -> {
            expect(client.deleteConnector(NAME), "delete");
            expect(!client.getConnectors().contains(NAME), "still listed");
        });

        System.out.println(passed + " passed, " + failed + " failed");
        System.exit(failed == 0 ? 0 : 1);
    }
}
