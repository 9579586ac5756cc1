import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Forwards TCP connections from a fixed loopback port to another loopback port.
///
/// librdkafka 2.0.2's mock brokers listen on ports the kernel picks; this gives the embedded
/// broker a fixed bootstrap port. Clients bootstrap through it and then reach the broker at the
/// address it advertises in its metadata, which is on the same host.
///
/// `@unchecked Sendable`: the listening socket is set once in `init` and closed once in `stop`.
public final class LoopbackForwarder: @unchecked Sendable {
    private let listener: Int32
    /// The port it listens on.
    public let port: UInt16

    /// Listens on 127.0.0.1:`port` and forwards each connection to 127.0.0.1:`targetPort`.
    public init(port: UInt16, targetPort: UInt16) throws(KafkaError) {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard listener >= 0, bound == 0, listen(listener, 64) == 0 else {
            let reason = String(cString: strerror(errno))
            close(listener)
            throw KafkaError(.embeddedBroker, "cannot listen on 127.0.0.1:\(port): \(reason). Choose another --port.")
        }
        self.listener = listener
        self.port = port
        let thread = Thread { Self.acceptLoop(listener, targetPort: targetPort) }
        thread.name = "broker-port-forwarder"
        thread.start()
    }

    /// Stops accepting new connections.
    public func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private static func loopback(_ port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    private static func acceptLoop(_ listener: Int32, targetPort: UInt16) {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else {
                if errno == EINTR { continue }
                return
            }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = loopback(targetPort)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard connected == 0 else {
                close(client)
                close(upstream)
                continue
            }
            let open = Locked(2)
            for (from, to) in [(client, upstream), (upstream, client)] {
                Thread {
                    pump(from: from, to: to)
                    // The last direction to end closes both sockets, so no descriptor is reused early.
                    if open.withLock({ count in
                        count -= 1
                        return count
                    }) == 0 {
                        close(client)
                        close(upstream)
                    }
                }.start()
            }
        }
    }

    /// Copies bytes one way until either side closes, then closes both directions.
    private static func pump(from source: Int32, to destination: Int32) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        copying: while true {
            let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            var sent = 0
            while sent < count {
                let written = buffer.withUnsafeBytes {
                    send(destination, $0.baseAddress! + sent, count - sent, Int32(MSG_NOSIGNAL))
                }
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { break copying }
                sent += written
            }
        }
        shutdown(source, Int32(SHUT_RD))
        shutdown(destination, Int32(SHUT_WR))
    }
}
