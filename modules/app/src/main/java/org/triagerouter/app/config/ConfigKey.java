package org.triagerouter.app.config;

/**
 * Every configuration key: its YAML path, the environment variable that overrides it, its default
 * and what it is for. The README's configuration table lists exactly these (a test checks it).
 */
public enum ConfigKey {
    DICOM_AE_TITLE("dicom.aeTitle", "TRIAGE_DICOM_AE_TITLE", "TRIAGE", "AE title the router answers to (called AE)"),
    DICOM_BIND("dicom.bind", "TRIAGE_DICOM_BIND", "0.0.0.0", "address the DICOM listener binds to"),
    DICOM_PORT("dicom.port", "TRIAGE_DICOM_PORT", "11112", "DICOM listener port"),
    ALLOWED_CALLING_AE_TITLES("dicom.allowedCallingAeTitles", "TRIAGE_ALLOWED_CALLING_AE_TITLES", "",
            "comma-separated calling AE titles allowed to associate; empty accepts any"),
    DICOM_TRANSFER_SYNTAXES("dicom.transferSyntaxes", "TRIAGE_DICOM_TRANSFER_SYNTAXES", "",
            "comma-separated transfer syntax UIDs accepted for storage; empty means those the router can decode"),
    DICOM_EXTRA_STORAGE_SOP_CLASSES("dicom.extraStorageSopClasses", "TRIAGE_DICOM_EXTRA_STORAGE_SOP_CLASSES", "",
            "comma-separated storage SOP class UIDs accepted besides the standard ones, e.g. a vendor's private CR"),
    DICOM_SENDERS("dicom.senders", "TRIAGE_DICOM_SENDERS", "",
            "known senders: a YAML list of {aeTitle, hosts, sopClasses, transferSyntaxes}; a sender bound to hosts is rejected from any other "
                    + "address; the variable, AE@host|host?sopClasses=uid|uid&transferSyntaxes=uid,..., replaces it"),
    DICOM_MAX_PDU_LENGTH("dicom.maxPduLength", "TRIAGE_DICOM_MAX_PDU_LENGTH", "1048576",
            "largest P-DATA PDU accepted (bytes, 4096 to 16777216); larger PDUs abort the association"),
    DICOM_MAX_ASSOCIATIONS("dicom.maxAssociations", "TRIAGE_DICOM_MAX_ASSOCIATIONS", "32",
            "associations served at once; more are rejected as transient (local limit exceeded)"),
    DICOM_ARTIM_TIMEOUT("dicom.artimTimeoutSeconds", "TRIAGE_DICOM_ARTIM_TIMEOUT_SECONDS", "30",
            "seconds a new connection may take to request an association"),
    DICOM_IDLE_TIMEOUT("dicom.idleTimeoutSeconds", "TRIAGE_DICOM_IDLE_TIMEOUT_SECONDS", "120",
            "seconds an association may stay silent before it is aborted"),
    DICOM_CONNECT_TIMEOUT("dicom.connectTimeoutSeconds", "TRIAGE_DICOM_CONNECT_TIMEOUT_SECONDS", "10",
            "seconds the SCU waits for a TCP connection (a destination's connectTimeoutSeconds overrides it)"),
    DICOM_DIMSE_TIMEOUT("dicom.dimseTimeoutSeconds", "TRIAGE_DICOM_DIMSE_TIMEOUT_SECONDS", "60",
            "seconds the SCU waits for a DIMSE response or an association answer (a destination's dimseTimeoutSeconds overrides it)"),
    TLS_ENABLED("dicom.tls.enabled", "TRIAGE_DICOM_TLS_ENABLED", "false",
            "serve DICOM over TLS: PS3.15 B.12 BCP 195 profile, TLS 1.3 and 1.2 only, TLS 1.2 with ECDHE and AES-GCM or ChaCha20-Poly1305 only; "
                    + "the listener only: a destination uses TLS when its own tls key says so"),
    TLS_KEY_STORE("dicom.tls.keyStore", "TRIAGE_DICOM_TLS_KEY_STORE", "", "PKCS#12 key store with the router's certificate and key"),
    TLS_KEY_STORE_PASSWORD("dicom.tls.keyStorePassword", "TRIAGE_DICOM_TLS_KEY_STORE_PASSWORD", "", "password of the key store"),
    TLS_TRUST_STORE("dicom.tls.trustStore", "TRIAGE_DICOM_TLS_TRUST_STORE", "",
            "PKCS#12 trust store for peer certificates; empty uses the JDK's"),
    TLS_TRUST_STORE_PASSWORD("dicom.tls.trustStorePassword", "TRIAGE_DICOM_TLS_TRUST_STORE_PASSWORD", "", "password of the trust store"),
    TLS_REQUIRE_CLIENT_CERTIFICATE("dicom.tls.requireClientCertificate", "TRIAGE_DICOM_TLS_REQUIRE_CLIENT_CERTIFICATE", "false",
            "require calling nodes to present a certificate the trust store accepts"),
    TLS_CLIENT_CERTIFICATE_AE_TITLES("dicom.tls.clientCertificateAeTitles", "TRIAGE_DICOM_TLS_CLIENT_CERTIFICATE_AE_TITLES", "",
            "comma-separated AE=certificate subject CN or AE=sha256:fingerprint; when set, a caller must use an AE title bound to the"
                    + " certificate it presents, else A-ASSOCIATE-RJ (calling AE title not recognized); needs dicom.tls.trustStore"),
    HTTP_BIND("http.bind", "TRIAGE_HTTP_BIND", "127.0.0.1",
            "address the dashboard, API and metrics bind to; any other than loopback requires http.users or http.tokens"),
    HTTP_PORT("http.port", "TRIAGE_HTTP_PORT", "8080", "HTTP port: dashboard, JSON API, /metrics, /health/live, /health/ready"),
    HTTP_USERS("http.users", "TRIAGE_HTTP_USERS", "",
            "comma-separated name:password:role (role viewer or admin) for basic auth; protects everything but /health"),
    HTTP_TOKENS("http.tokens", "TRIAGE_HTTP_TOKENS", "",
            "comma-separated token:role bearer tokens (at least 16 characters), e.g. for a Prometheus scraper"),
    HTTP_SHOW_PHI("http.showPhi", "TRIAGE_HTTP_SHOW_PHI", "false", "show patient names, IDs and accession numbers in the dashboard and API"),
    SPOOL_DIR("spool.dir", "TRIAGE_SPOOL_DIR", "data/spool", "where received instances are kept, one folder per study"),
    SPOOL_MIN_FREE_MB("spool.minFreeMegabytes", "TRIAGE_SPOOL_MIN_FREE_MB", "1024",
            "below this much free space under the spool, C-STOREs are refused with 0xA700"),
    DATABASE_URL("database.url", "TRIAGE_DATABASE_URL", "jdbc:postgresql://127.0.0.1:5432/triage", "PostgreSQL JDBC URL"),
    DATABASE_USER("database.user", "TRIAGE_DATABASE_USER", "triage", "PostgreSQL role"),
    DATABASE_PASSWORD("database.password", "TRIAGE_DATABASE_PASSWORD", "triage", "PostgreSQL password"),
    DATABASE_POOL_SIZE("database.poolSize", "TRIAGE_DATABASE_POOL_SIZE", "16", "connections in the pool"),
    DATABASE_TIMEOUT("database.timeoutSeconds", "TRIAGE_DATABASE_TIMEOUT_SECONDS", "5",
            "seconds to wait for a database connection before answering 0xA700"),
    DATABASE_IDLE_IN_TRANSACTION("database.idleInTransactionSeconds", "TRIAGE_DATABASE_IDLE_IN_TRANSACTION_SECONDS", "15",
            "PostgreSQL ends a session idle this long inside a transaction, releasing its locks (a frozen or unplugged node); 0: never"),
    DATABASE_STATEMENT_TIMEOUT("database.statementTimeoutSeconds", "TRIAGE_DATABASE_STATEMENT_TIMEOUT_SECONDS", "25",
            "PostgreSQL cancels a statement running this long; the client gives up on a silent server 5 s later"),
    DATABASE_IMAGE_RETENTION_DAYS("database.imageRetentionDays", "TRIAGE_DATABASE_IMAGE_RETENTION_DAYS", "7",
            "canonical images are deleted this many days (decimals allowed) after their study's results were all delivered"),
    DATABASE_JOB_RETENTION_DAYS("database.jobRetentionDays", "TRIAGE_DATABASE_JOB_RETENTION_DAYS", "14",
            "finished jobs and association records are deleted this many days after they ended (failed jobs: after historyDays)"),
    DATABASE_HISTORY_DAYS("database.historyDays", "TRIAGE_DATABASE_HISTORY_DAYS", "400",
            "studies with their results and deliveries (the audit trail) are deleted this many days after their last instance, once no spool holds their files"),
    DATABASE_MAX_SIZE_GB("database.maxSizeGigabytes", "TRIAGE_DATABASE_MAX_SIZE_GB", "0",
            "above this database size (pg_database_size, decimals allowed) readiness is 503 and C-STOREs get 0xA700; 0: no ceiling"),
    ALERTS_BACKLOG_MINUTES("alerts.backlogMinutes", "TRIAGE_ALERTS_BACKLOG_MINUTES", "15",
            "the overview turns red when a stage's oldest waiting job has waited longer than this"),
    NODE_NAME("node.name", "TRIAGE_NODE_NAME", "", "this router's name among nodes sharing the database, unique among live routers; empty uses the host name"),
    CLUSTER_LEASE_SECONDS("cluster.leaseSeconds", "TRIAGE_CLUSTER_LEASE_SECONDS", "30",
            "a running job's lease, renewed while its worker lives; a dead node's jobs are taken over within it"),
    CLUSTER_NODE_LOST_SECONDS("cluster.nodeLostSeconds", "TRIAGE_CLUSTER_NODE_LOST_SECONDS", "120",
            "a node whose heartbeat is older is declared lost: the jobs pinned to it fail with 'node lost'"),
    SHUTDOWN_GRACE_SECONDS("cluster.shutdownGraceSeconds", "TRIAGE_SHUTDOWN_GRACE_SECONDS", "25",
            "on SIGTERM, how long jobs in hand may take to finish before they are handed back"),
    PREPARE_MAX_SIDE("prepare.maxSide", "TRIAGE_PREPARE_MAX_SIDE", "1024", "longest side of the canonical image, in pixels"),
    PREPARE_WORKERS("prepare.workers", "TRIAGE_PREPARE_WORKERS", "2", "prepare worker threads on this node (0: none)"),
    MODEL("inference.model", "TRIAGE_MODEL", "", "model manifest (YAML beside the .onnx); empty uses the generated demo model"),
    DEMO_MODEL_DIR("inference.demoModelDir", "TRIAGE_DEMO_MODEL_DIR", "data/models/demo", "where the demo model is generated"),
    INFERENCE_PROVIDER("inference.provider", "TRIAGE_INFERENCE_PROVIDER", "auto",
            "auto (CUDA when present, else CPU), cuda or cpu"),
    INFERENCE_WORKERS("inference.workers", "TRIAGE_INFERENCE_WORKERS", "auto",
            "infer workers on this node (0: none), sharing one session; auto: one per core on CPU, each run on one thread, one on CUDA"),
    INFERENCE_BATCH_SIZE("inference.batchSize", "TRIAGE_INFERENCE_BATCH_SIZE", "8", "images per session run"),
    INFERENCE_MAX_WAIT_MS("inference.maxWaitMs", "TRIAGE_INFERENCE_MAX_WAIT_MS", "200",
            "longest a claimed image waits for its batch to fill before the batch runs anyway"),
    INFERENCE_INTRA_OP_THREADS("inference.intraOpThreads", "TRIAGE_INFERENCE_INTRA_OP_THREADS", "0",
            "ONNX Runtime intra-op threads per run; 0: one with inference.workers auto on CPU, else ONNX Runtime chooses"),
    REPORT_GRACE_SECONDS("report.graceSeconds", "TRIAGE_REPORT_GRACE_SECONDS", "2",
            "a study is complete this long after the association that brought its last instance was released"),
    REPORT_QUIET_SECONDS("report.quietSeconds", "TRIAGE_REPORT_QUIET_SECONDS", "30",
            "otherwise, a study is complete after this long without a new instance"),
    REPORT_SWEEP_MS("report.sweepMilliseconds", "TRIAGE_REPORT_SWEEP_MS", "10000",
            "how often the study completion sweep, the safety net behind the completion timers, looks for complete studies (Quartz)"),
    REPORT_OPERATING_POINT("report.operatingPoint", "TRIAGE_REPORT_OPERATING_POINT", "",
            "the model's operating point that decides ABNORMAL; empty: the manifest's first"),
    REPORT_WORKERS("report.workers", "TRIAGE_REPORT_WORKERS", "1", "report worker threads on this node (0: none)"),
    SHADOW("report.shadow", "TRIAGE_SHADOW", "false", "compute and store everything, send nothing (every destination)"),
    DESTINATIONS("destinations", "TRIAGE_DESTINATIONS", "",
            "where results go: a YAML list of DICOM {name, aeTitle, host, port, ...} and HL7 {name, type: hl7, host, port, ...} destinations; "
                    + "the variable, name=AE@host:port?resultImage=true&storageCommitment=true&tls=true&... or name=hl7://host:port,..., replaces it"),
    DISPATCH_WORKERS("dispatch.workers", "TRIAGE_DISPATCH_WORKERS", "2", "dispatch worker threads on this node (0: none)"),
    DISPATCH_MAX_ATTEMPTS("dispatch.maxAttempts", "TRIAGE_DISPATCH_MAX_ATTEMPTS", "10", "a delivery fails after this many attempts"),
    DISPATCH_RETRY_SECONDS("dispatch.retrySeconds", "TRIAGE_DISPATCH_RETRY_SECONDS", "10",
            "first retry delay; each further retry waits twice as long"),
    DISPATCH_MAX_RETRY_SECONDS("dispatch.maxRetrySeconds", "TRIAGE_DISPATCH_MAX_RETRY_SECONDS", "600", "longest delay between retries"),
    DISPATCH_STORAGE_COMMITMENT_TIMEOUT("dispatch.storageCommitmentTimeoutMinutes", "TRIAGE_DISPATCH_STORAGE_COMMITMENT_TIMEOUT_MINUTES", "60",
            "a storage commitment without the destination's result (N-EVENT-REPORT) this long after its request is shown as timed_out"),
    DISPATCH_STORAGE_COMMITMENT_WAIT("dispatch.storageCommitmentWaitSeconds", "TRIAGE_DISPATCH_STORAGE_COMMITMENT_WAIT_SECONDS", "5",
            "how long the delivery's association stays open after the N-ACTION for a result on it (0: release at once); later results come to the listener"),
    SPOOL_RETENTION_DAYS("spool.retentionDays", "TRIAGE_SPOOL_RETENTION_DAYS", "30",
            "files of fully delivered studies are deleted this many days (decimals allowed; 0: at once) after delivery, never before");

    public final String path;
    public final String environmentVariable;
    public final String defaultValue;
    public final String description;

    ConfigKey(String path, String environmentVariable, String defaultValue, String description) {
        this.path = path;
        this.environmentVariable = environmentVariable;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    public static ConfigKey byPath(String path) {
        for (ConfigKey key : values()) if (key.path.equals(path)) return key;
        return null;
    }
}
