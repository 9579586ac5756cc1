import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// A very small HTTP/1.1 server for operators: GET requests on a few paths, each answered by
/// a closure, one connection at a time on a thread of its own. Enough for Prometheus scrapes
/// and Kubernetes probes; nothing else is served.
///
/// `@unchecked Sendable`: the listening socket is set once in `init`; routes are immutable.
final class HTTPEndpoint: @unchecked Sendable {
    /// An answer: status code, content type, body.
    struct Response: Sendable {
        var status: Int
        var contentType = "text/plain; charset=utf-8"
        var body: [UInt8]

        static func text(_ status: Int, _ text: String) -> Response {
            Response(status: status, body: Array(text.utf8))
        }
    }

    private let listener: Int32
    private let routes: [String: @Sendable () -> Response]
    /// The port it listens on (useful when 0 was asked for).
    let port: UInt16

    /// Listens on `host`:`port` (0 picks a free port).
    init(host: String, port: UInt16, routes: [String: @Sendable () -> Response]) throws {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            throw CommandError("--metrics-address \(host) is not an IPv4 address")
        }
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ready = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 16) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        guard ready else {
            let reason = String(cString: strerror(errno))
            close(listener)
            throw CommandError("cannot serve metrics on \(host):\(port): \(reason); choose another --metrics-port")
        }
        self.listener = listener
        self.routes = routes
        self.port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "http-endpoint"
        thread.start()
    }

    /// Stops serving.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else {
                if errno == EINTR { continue }
                return
            }
            serve(connection)
            close(connection)
        }
    }

    private func serve(_ connection: Int32) {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4_096)
        let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return }
        let requestLine = String(decoding: buffer[0..<count], as: UTF8.self).split(separator: "\r\n").first ?? ""
        let parts = requestLine.split(separator: " ")
        let response: Response
        if parts.count >= 2, parts[0] == "GET", let route = routes[String(parts[1].split(separator: "?")[0])] {
            response = route()
        } else {
            response = .text(404, "not found: GET " + routes.keys.sorted().joined(separator: ", ") + "\n")
        }
        write(response, to: connection)
    }

    private func write(_ response: Response, to connection: Int32) {
        let reason = [200: "OK", 404: "Not Found", 503: "Service Unavailable"][response.status] ?? "Status"
        let head =
            "HTTP/1.1 \(response.status) \(reason)\r\nContent-Type: \(response.contentType)\r\n"
            + "Content-Length: \(response.body.count)\r\nConnection: close\r\n\r\n"
        let bytes = Array(head.utf8) + response.body
        var sent = 0
        while sent < bytes.count {
            let written = bytes.withUnsafeBytes {
                send(connection, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { return }
            sent += written
        }
    }
}
