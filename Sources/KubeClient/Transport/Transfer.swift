import CCurl
import KubeModel
import Synchronization

/// One request in flight: its easy handle (touched only by the I/O thread) and the state shared
/// with the Swift side (guarded by a lock).
final class Transfer: @unchecked Sendable {
    // `@unchecked`: `easy`, the lists and `errorBuffer` belong to the I/O thread; everything
    // the Swift side reads lives in `state` behind its Mutex.
    let request: HTTPRequest
    let streaming: Bool
    var easy: UnsafeMutableRawPointer?
    /// `CURLOPT_HTTPHEADER` and `CURLOPT_CONNECT_TO` lists, which libcurl does not copy: freed
    /// with the transfer, after its easy handle.
    var headerList: UnsafeMutablePointer<curl_slist>?
    var connectToList: UnsafeMutablePointer<curl_slist>?
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    let startedAt = Timestamp.monotonic()

    struct State {
        var status = 0
        var httpVersion = ""
        var headers: [String: String] = [:]
        var headComplete = false
        var body: [UInt8] = []
        var chunks: [[UInt8]] = []
        var bufferedBytes = 0
        var paused = false
        var finished = false
        var failure: TransportError?
        var lastByteAt = Timestamp.monotonic()
        var completion: CheckedContinuation<Result<HTTPResponse, TransportError>, Never>?
        var headWaiter: CheckedContinuation<Result<HTTPResponseHead, TransportError>, Never>?
        var chunkWaiter: CheckedContinuation<Result<[UInt8]?, TransportError>, Never>?
    }

    let state = Mutex(State())

    init(request: HTTPRequest, streaming: Bool) {
        self.request = request
        self.streaming = streaming
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        errorBuffer.deallocate()
        if let headerList { curl_slist_free_all(headerList) }
        if let connectToList { curl_slist_free_all(connectToList) }
    }

    var head: HTTPResponseHead {
        state.withLock { HTTPResponseHead(status: $0.status, httpVersion: $0.httpVersion, headers: $0.headers) }
    }

    // MARK: Swift side

    func onComplete(_ continuation: CheckedContinuation<Result<HTTPResponse, TransportError>, Never>) {
        let immediate = state.withLock { state -> Result<HTTPResponse, TransportError>? in
            if let failure = state.failure { return .failure(failure) }
            state.completion = continuation
            return nil
        }
        if let immediate { continuation.resume(returning: immediate) }
    }

    func onHead(_ continuation: CheckedContinuation<Result<HTTPResponseHead, TransportError>, Never>) {
        let immediate = state.withLock { state -> Result<HTTPResponseHead, TransportError>? in
            if state.headComplete {
                return .success(HTTPResponseHead(status: state.status, httpVersion: state.httpVersion, headers: state.headers))
            }
            if let failure = state.failure { return .failure(failure) }
            state.headWaiter = continuation
            return nil
        }
        if let immediate { continuation.resume(returning: immediate) }
    }

    /// Hands over the next chunk (or end/failure), or parks the continuation until one arrives.
    /// - Returns: whether a paused transfer should be resumed now that the buffer drained.
    func nextChunk(_ continuation: CheckedContinuation<Result<[UInt8]?, TransportError>, Never>) -> Bool {
        let (result, resume) = state.withLock { state -> (Result<[UInt8]?, TransportError>?, Bool) in
            if !state.chunks.isEmpty {
                let chunk = state.chunks.count == 1 ? state.chunks[0] : state.chunks.flatMap { $0 }
                state.chunks.removeAll(keepingCapacity: true)
                state.bufferedBytes = 0
                let resume = state.paused
                if resume {
                    state.paused = false
                    state.lastByteAt = Timestamp.monotonic()
                }
                return (.success(chunk), resume)
            }
            if let failure = state.failure { return (.failure(failure), false) }
            if state.finished { return (.success(nil), false) }
            state.chunkWaiter = continuation
            return (nil, false)
        }
        if let result { continuation.resume(returning: result) }
        return resume
    }

    // MARK: I/O thread

    /// Data from the write callback. Returns false when the reader is too far behind: the
    /// transfer pauses and libcurl delivers this data again after resuming.
    func receive(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let waiter = state.withLock { state -> (CheckedContinuation<Result<[UInt8]?, TransportError>, Never>, [UInt8])? in
            state.lastByteAt = Timestamp.monotonic()
            if !streaming {
                state.body.append(contentsOf: bytes)
                return nil
            }
            if state.bufferedBytes >= CurlTransport.streamBufferLimit {
                state.paused = true
                return nil
            }
            if let waiter = state.chunkWaiter {
                state.chunkWaiter = nil
                return (waiter, Array(bytes))
            }
            state.chunks.append(Array(bytes))
            state.bufferedBytes += bytes.count
            return nil
        }
        if let (waiter, chunk) = waiter {
            waiter.resume(returning: .success(chunk))
            return true
        }
        return !(streaming && state.withLock { $0.paused })
    }

    /// One header line from the header callback (status line, field, or the blank end line).
    func receiveHeader(_ line: String) {
        let headWaiter = state.withLock {
            state -> (CheckedContinuation<Result<HTTPResponseHead, TransportError>, Never>, HTTPResponseHead)? in
            state.lastByteAt = Timestamp.monotonic()
            let trimmed = line.trimmingTrailingNewlines()
            if trimmed.hasPrefix("HTTP/") {
                // A new status line (after 100 Continue or a redirect) starts a new head.
                let parts = trimmed.split(separator: " ", maxSplits: 2)
                state.httpVersion = parts.first.map { String($0.dropFirst(5)) } ?? ""
                state.status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
                state.headers = [:]
                state.headComplete = false
                return nil
            }
            if trimmed.isEmpty {
                guard state.status >= 200 else { return nil }
                state.headComplete = true
                guard let waiter = state.headWaiter else { return nil }
                state.headWaiter = nil
                return (waiter, HTTPResponseHead(status: state.status, httpVersion: state.httpVersion, headers: state.headers))
            }
            guard let colon = trimmed.firstIndex(of: ":") else { return nil }
            let name = trimmed[..<colon].lowercased()
            let value = trimmed[trimmed.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
            if let existing = state.headers[name] {
                state.headers[name] = existing + ", " + value
            } else {
                state.headers[name] = String(value)
            }
            return nil
        }
        if let (waiter, head) = headWaiter { waiter.resume(returning: .success(head)) }
    }

    /// The transfer ended: successfully (nil) or with an error. Resumes whoever waits.
    func finish(_ failure: TransportError?) {
        let (completion, headWaiter, chunkWaiter, response, head) = state.withLock {
            state -> (
                CheckedContinuation<Result<HTTPResponse, TransportError>, Never>?,
                CheckedContinuation<Result<HTTPResponseHead, TransportError>, Never>?,
                CheckedContinuation<Result<[UInt8]?, TransportError>, Never>?,
                HTTPResponse, HTTPResponseHead
            ) in
            state.finished = true
            if failure != nil { state.failure = failure }
            let head = HTTPResponseHead(status: state.status, httpVersion: state.httpVersion, headers: state.headers)
            let response = HTTPResponse(head: head, body: state.body)
            let waiters = (state.completion, state.headWaiter, state.chunkWaiter)
            state.completion = nil
            state.headWaiter = nil
            if failure != nil || state.chunks.isEmpty {
                state.chunkWaiter = nil
            } else {
                return (waiters.0, waiters.1, nil, response, head)
            }
            return (waiters.0, waiters.1, waiters.2, response, head)
        }
        if let failure {
            completion?.resume(returning: .failure(failure))
            headWaiter?.resume(returning: .failure(failure))
            chunkWaiter?.resume(returning: .failure(failure))
        } else {
            completion?.resume(returning: .success(response))
            // A stream that ended before its head was seen (no body at all) still has a head.
            headWaiter?.resume(
                returning: head.status > 0 ? .success(head) : .failure(.curl(code: 52, message: "empty reply from server")))
            chunkWaiter?.resume(returning: .success(nil))
        }
    }

    var idleSince: Double { state.withLock { $0.paused ? Timestamp.monotonic() : $0.lastByteAt } }
    var headComplete: Bool { state.withLock { $0.headComplete } }
    var isFinished: Bool { state.withLock { $0.finished } }

    var curlErrorMessage: String {
        let message = String(cString: errorBuffer)
        return message
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var view = Substring(self)
        while let last = view.last, last == "\n" || last == "\r" || last == "\r\n" { view = view.dropLast() }
        return String(view)
    }
}
