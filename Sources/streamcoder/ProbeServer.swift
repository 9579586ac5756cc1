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
        router.get("/metrics") { _, _ -> Response in
            var buffer = ByteBuffer()
            buffer.writeBytes(registry.emitToBuffer())
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: buffer)
            )
        }
        router.get("/healthz") { _, _ -> Response in
            let health = supervisor.worker.health
            return text(health.isLive ? .ok : .serviceUnavailable, health.liveness)
        }
        router.get("/readyz") { _, _ -> Response in
            let health = supervisor.worker.health
            return text(health.isReady ? .ok : .serviceUnavailable, health.readiness)
        }
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .notice)  // our own line says where it listens
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "streamcoder"),
            onServerRunning: { channel in
                logger.info(
                    "serving /metrics, /healthz, /readyz",
                    metadata: ["address": "\(host):\(channel.localAddress?.port ?? port)"]
                )
            },
            logger: quiet
        )
    }

    private static func text(_ status: HTTPResponse.Status, _ line: String) -> Response {
        var buffer = ByteBuffer()
        buffer.writeString(line + "\n")
        return Response(
            status: status,
            headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: buffer)
        )
    }
}
