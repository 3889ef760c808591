import java.net.InetSocketAddress;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

/**
 * Test-only MongoDB wire-protocol server for Sluice's MongoDB connector tests: mongo-java-server's
 * in-memory backend with the oplog enabled (change streams need it), bound to 127.0.0.1.
 *
 * Usage: java -cp <jars>:<classes> SluiceMongoServer [port]   (port 0 or absent: a free port)
 * Prints "SLUICE_MONGO_LISTENING <port>" once bound. Exits when its standard input closes, so a test
 * process that dies never leaves a server behind.
 */
public final class SluiceMongoServer {
    private SluiceMongoServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        MongoServer server = new MongoServer(new MemoryBackend());
        server.enableOplog();
        server.bind(new InetSocketAddress("127.0.0.1", port));
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
        System.out.println("SLUICE_MONGO_LISTENING " + server.getLocalAddress().getPort());
        System.out.flush();
        while (System.in.read() != -1) {
            // drain: only end-of-file matters
        }
        System.exit(0);
    }
}
