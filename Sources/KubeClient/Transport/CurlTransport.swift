import CCurl
import Foundation
import Synchronization

/// The HTTP transport: libcurl's multi interface driven by one I/O thread, exposed to Swift as
/// async functions and a byte stream.
///
/// One multi handle multiplexes every request: HTTP/2 over TLS (ALPN) with streams sharing a
/// connection, HTTP/1.1 with keep-alive otherwise. The I/O thread is the only one that touches
/// easy and multi handles; other threads hand it commands and wake it with `curl_multi_wakeup`.
/// Cancelling the Swift task of a request removes its transfer at the next loop turn.
public final class CurlTransport: Sendable {
    enum Command {
        case add(Transfer)
        case cancel(Transfer, TransportError)
        case resume(Transfer)
    }

    private let multi: MultiHandle
    private let commands = Mutex<[Command]>([])
    private let stopped = Atomic<Bool>(false)

    /// Largest streamed response data buffered for a slow reader before the transfer is
    /// paused (flow control), bytes.
    static let streamBufferLimit = 8 * 1024 * 1024

    /// Starts the I/O thread.
    /// - Throws: ``TransportError/setup(_:)`` when libcurl cannot be initialised.
    public init() throws(TransportError) {
        CurlGlobal.initialize()
        guard let handle = curl_multi_init() else { throw .setup("curl_multi_init failed") }
        multi = MultiHandle(handle)
        _ = roost_multi_setopt_long(handle, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
        let thread = Thread { [multi, self] in
            let loop = IOLoop(multi: multi, transport: self)
            loop.run()
        }
        thread.name = "roost-curl"
        thread.start()
    }

    /// Stops the I/O thread; pending and running transfers fail with ``TransportError/shutDown``.
    public func shutdown() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        curl_multi_wakeup(multi.handle)
    }

    deinit { shutdown() }

    var isStopped: Bool { stopped.load(ordering: .acquiring) }

    func submit(_ command: Command) {
        commands.withLock { $0.append(command) }
        curl_multi_wakeup(multi.handle)
    }

    func takeCommands() -> [Command] {
        commands.withLock { commands in
            let taken = commands
            commands.removeAll(keepingCapacity: true)
            return taken
        }
    }

    // MARK: Requests

    /// Sends a request and reads the whole response.
    /// - Throws: ``TransportError`` when no complete response arrived (HTTP error statuses are
    ///   responses, not errors).
    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        let transfer = Transfer(request: request, streaming: false)
        let result: Result<HTTPResponse, TransportError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                transfer.onComplete(continuation)
                submit(.add(transfer))
            }
        } onCancel: {
            submit(.cancel(transfer, .cancelled))
        }
        return try result.get()
    }

    /// Sends a request whose response body is consumed as it arrives (watches).
    /// - Returns: the response head and the body's bytes; iterate ``ByteStream`` until it ends.
    /// - Throws: ``TransportError`` when no response head arrived.
    public func stream(_ request: HTTPRequest) async throws(TransportError) -> (HTTPResponseHead, ByteStream) {
        let transfer = Transfer(request: request, streaming: true)
        let result: Result<HTTPResponseHead, TransportError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                transfer.onHead(continuation)
                submit(.add(transfer))
            }
        } onCancel: {
            submit(.cancel(transfer, .cancelled))
        }
        let head = try result.get()
        return (head, ByteStream(transfer: transfer, transport: self))
    }
}

/// The body of a streamed response, in chunks as they arrive. Cancelling the consuming task, or
/// calling ``cancel()``, ends the transfer.
public struct ByteStream: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    public typealias Failure = TransportError

    let transfer: Transfer
    let transport: CurlTransport

    /// Stops the transfer; the iterator then ends.
    public func cancel() { transport.submit(.cancel(transfer, .cancelled)) }

    public func makeAsyncIterator() -> Iterator { Iterator(transfer: transfer, transport: transport) }

    public struct Iterator: AsyncIteratorProtocol {
        let transfer: Transfer
        let transport: CurlTransport

        /// The next chunk, or nil at the end of the body.
        /// - Throws: ``TransportError`` when the stream broke (idle timeout, reset, cancellation).
        public mutating func next(isolation actor: isolated (any Actor)? = #isolation) async throws(TransportError) -> [UInt8]? {
            let transfer = transfer
            let transport = transport
            let result: Result<[UInt8]?, TransportError> = await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    if transfer.nextChunk(continuation) { transport.submit(.resume(transfer)) }
                }
            } onCancel: {
                transport.submit(.cancel(transfer, .cancelled))
            }
            return try result.get()
        }

        public mutating func next() async throws(TransportError) -> [UInt8]? {
            try await next(isolation: nil)
        }
    }
}

/// Owns the multi handle; its pointer is only used by the I/O thread, except for the
/// thread-safe `curl_multi_wakeup`.
final class MultiHandle: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    init(_ handle: UnsafeMutableRawPointer) { self.handle = handle }
}

/// `curl_global_init` once per process, before any other thread uses libcurl.
enum CurlGlobal {
    private static let initialized: Bool = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        return true
    }()

    static func initialize() { _ = initialized }
}
