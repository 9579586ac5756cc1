import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle
import Worker

/// The worker's operator port, served by Hummingbird: `/metrics` (Prometheus text format),
/// `/healthz` (liveness) and `/readyz` (readiness), each answered from the worker's state without
/// waiting on anything, and each connection served on its own, so a silent client delays nobody.
enum ProbeServer {
    /// An application serving the probes of whichever worker `supervisor` runs now; it logs its
    /// address once it listens (the port is the kernel's choice when `port` is 0).
    static func make(
        host: String,
        port: Int,
        supervisor: WorkerSupervisor,
        registry: PrometheusCollectorRegistry,
        logger: Logger
    ) -> some Service {
        let router = Router()
        router.get("/metrics") { _, _ -> Response in metrics(registry) }
        router.get("/healthz") { _, _ -> Response in
            let health = supervisor.worker.health
            return text(health.isLive ? .ok : .serviceUnavailable, health.liveness)
        }
        router.get("/readyz") { _, _ -> Response in
            let health = supervisor.worker.health
            return text(health.isReady ? .ok : .serviceUnavailable, health.readiness)
        }
        return application(router, host: host, port: port, serverName: "streamcoder", logger: logger)
    }

    /// The application serving `router` on `host:port`, logging once where it listens (with the
    /// paths it serves) instead of Hummingbird's own lines.
    static func application(
        _ router: Router<BasicRequestContext>,
        host: String,
        port: Int,
        serverName: String,
        logger: Logger
    ) -> some Service {
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .notice)  // our own line says where it listens
        let paths = router.routes.map(\.path.description).sorted().joined(separator: ", ")
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: serverName),
            onServerRunning: { channel in
                logger.info("serving \(paths)", metadata: ["address": "\(host):\(channel.localAddress?.port ?? port)"])
            },
            logger: quiet
        )
    }

    /// The registry's metrics in Prometheus text format.
    static func metrics(_ registry: PrometheusCollectorRegistry) -> Response {
        var buffer = ByteBuffer()
        buffer.writeBytes(registry.emitToBuffer())
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4"],
            body: .init(byteBuffer: buffer)
        )
    }

    /// A one-line plain-text answer.
    static func text(_ status: HTTPResponse.Status, _ line: String) -> Response {
        var buffer = ByteBuffer()
        buffer.writeString(line + "\n")
        return Response(
            status: status,
            headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: buffer)
        )
    }
}
