package org.selfdata.registry;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * Runs Neo4j Community embedded, reachable only over Bolt on 127.0.0.1, so tests and
 * `registry neo4j-local` get a real server without a Neo4j installation.
 *
 * <p>Usage: {@code LocalNeo4j --port P --data DIR [--password PW] [--plugins DIR]}. With
 * {@code --plugins}, procedures in that folder's jars (APOC) are loaded and {@code apoc.*} may
 * run unrestricted. Prints {@code READY
 * bolt://127.0.0.1:P} once Bolt accepts connections; stops cleanly on SIGTERM.
 */
public final class LocalNeo4j {
    private LocalNeo4j() {}

    public static void main(String[] args) {
        Integer port = null;
        Path data = null;
        String password = null;
        Path plugins = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--data" -> data = Path.of(args[i + 1]).toAbsolutePath();
                case "--password" -> password = args[i + 1];
                case "--plugins" -> plugins = Path.of(args[i + 1]).toAbsolutePath();
                default -> usage("unknown option " + args[i]);
            }
        }
        if (port == null || data == null || args.length % 2 != 0) {
            usage("--port and --data are required");
        }

        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(data);
        if (plugins != null) {
            builder.setConfig(GraphDatabaseSettings.plugin_dir, plugins)
                    .setConfig(GraphDatabaseSettings.procedure_unrestricted, List.of("apoc.*"));
        }
        DatabaseManagementService dbms = builder
                // Bolt on loopback only: no HTTP(S), and no routing connector (default *:7688).
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.routing_enabled, false)
                // Small footprint: the machine is shared with the rest of the test suite.
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(64))
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, ByteUnit.mebiBytes(16))
                // Netty waits a 5 s quiet period per event loop group on shutdown: ~10 s per stop.
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                // No phoning home.
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                .setConfig(GraphDatabaseInternalSettings.udc_network_enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, password != null)
                .setConfig(GraphDatabaseSettings.auth_minimum_password_length, 1)
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(dbms::shutdown, "neo4j-shutdown"));

        try {
            if (password != null) {
                setPassword(dbms, password);
            }
            System.out.println("READY bolt://127.0.0.1:" + port);
            System.out.flush();
            Thread.currentThread().join(); // until SIGTERM/SIGINT runs the shutdown hook
        } catch (Throwable e) {
            e.printStackTrace();
            System.exit(1); // also runs the shutdown hook
        }
    }

    /** Embedded calls bypass auth, so the system database can set neo4j's password directly. */
    private static void setPassword(DatabaseManagementService dbms, String password) {
        try {
            dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
        } catch (RuntimeException e) {
            // Re-using a data directory with the same password is fine; anything else is not.
            if (!String.valueOf(e.getMessage()).contains("cannot be the same")) {
                throw e;
            }
        }
    }

    private static void usage(String why) {
        System.err.println("LocalNeo4j: " + why);
        System.err.println("usage: LocalNeo4j --port P --data DIR [--password PW] [--plugins DIR]");
        System.exit(2);
    }
}
