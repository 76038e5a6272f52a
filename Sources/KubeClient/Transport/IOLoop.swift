import CCurl
import KubeModel

/// The I/O thread's loop: applies commands, drives `curl_multi_perform`, completes finished
/// transfers, enforces response and idle timeouts, and sleeps in `curl_multi_poll`.
final class IOLoop {
    private let multi: MultiHandle
    private unowned let transport: CurlTransport
    /// Active transfers by easy handle.
    private var active: [UnsafeMutableRawPointer: Transfer] = [:]

    init(multi: MultiHandle, transport: CurlTransport) {
        self.multi = multi
        self.transport = transport
    }

    func run() {
        let handle = multi.handle
        while true {
            for command in transport.takeCommands() { apply(command) }
            if transport.isStopped {
                for transfer in Array(active.values) { remove(transfer, failure: .shutDown) }
                for command in transport.takeCommands() {
                    if case .add(let transfer) = command { transfer.finish(.shutDown) }
                }
                curl_multi_cleanup(handle)
                return
            }
            var running: Int32 = 0
            curl_multi_perform(handle, &running)
            collectFinished()
            let wait = enforceTimeouts()
            curl_multi_poll(handle, nil, 0, Int32(wait), nil)
        }
    }

    private func apply(_ command: CurlTransport.Command) {
        switch command {
        case .add(let transfer):
            guard !transfer.isFinished else { return }
            do {
                let easy = try EasyConfigurator.makeHandle(for: transfer)
                transfer.easy = easy
                active[easy] = transfer
                curl_multi_add_handle(multi.handle, easy)
            } catch {
                transfer.finish(error)
            }
        case .cancel(let transfer, let failure):
            if let easy = transfer.easy, active[easy] != nil {
                remove(transfer, failure: failure)
            } else if !transfer.isFinished {
                transfer.finish(failure)
            }
        case .resume(let transfer):
            if let easy = transfer.easy, active[easy] != nil {
                curl_easy_pause(easy, roost_curl_pause_continue())
            }
        }
    }

    private func collectFinished() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi.handle, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                let transfer = active[easy]
            else { continue }
            let code = roost_multi_message_result(message)
            if code == CURLE_OK {
                remove(transfer, failure: nil)
            } else {
                remove(transfer, failure: Self.error(code, transfer: transfer))
            }
        }
    }

    static func error(_ code: CURLcode, transfer: Transfer) -> TransportError {
        let detail = transfer.curlErrorMessage
        let text = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        if code == CURLE_OPERATION_TIMEDOUT { return .timedOut(text) }
        return .curl(code: Int(code.rawValue), message: text)
    }

    /// Fails transfers whose response head or next byte is overdue.
    /// - Returns: milliseconds until the next check is due (at most one second).
    private func enforceTimeouts() -> Int {
        var wait = 1000.0
        let now = Timestamp.monotonic()
        for transfer in Array(active.values) {
            // libcurl's own timeout does not run while a transfer waits for a connection; this one does.
            if let total = transfer.request.totalTimeout {
                let left = transfer.startedAt + total + 1 - now
                if left <= 0 {
                    remove(transfer, failure: .timedOut("no complete response within \(total) s"))
                    continue
                }
                wait = min(wait, left * 1000)
            }
            if !transfer.headComplete, let limit = transfer.request.responseTimeout {
                let left = transfer.startedAt + limit - now
                if left <= 0 {
                    remove(transfer, failure: .timedOut("no response within \(limit) s"))
                    continue
                }
                wait = min(wait, left * 1000)
            }
            if transfer.headComplete, let idle = transfer.request.idleTimeout {
                let left = transfer.idleSince + idle - now
                if left <= 0 {
                    remove(transfer, failure: .idle(seconds: idle))
                    continue
                }
                wait = min(wait, left * 1000)
            }
        }
        return max(1, Int(wait.rounded(.up)))
    }

    private func remove(_ transfer: Transfer, failure: TransportError?) {
        if let easy = transfer.easy {
            curl_multi_remove_handle(multi.handle, easy)
            active[easy] = nil
            curl_easy_cleanup(easy)
            transfer.easy = nil
        }
        transfer.finish(failure)
    }
}

/// Sets up an easy handle for one transfer.
enum EasyConfigurator {
    static let writeCallback: roost_data_callback = { data, size, count, user in
        guard let user, let data else { return 0 }
        let transfer = Unmanaged<Transfer>.fromOpaque(user).takeUnretainedValue()
        let length = size * count
        let accepted = transfer.receive(UnsafeRawBufferPointer(start: data, count: length))
        return accepted ? length : roost_curl_writefunc_pause()
    }

    static let headerCallback: roost_data_callback = { data, size, count, user in
        guard let user, let data else { return 0 }
        let transfer = Unmanaged<Transfer>.fromOpaque(user).takeUnretainedValue()
        let length = size * count
        let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
        transfer.receiveHeader(line)
        return length
    }

    static func makeHandle(for transfer: Transfer) throws(TransportError) -> UnsafeMutableRawPointer {
        guard let easy = curl_easy_init() else { throw .setup("curl_easy_init failed") }
        do {
            try configure(easy, transfer)
        } catch {
            curl_easy_cleanup(easy)
            throw error
        }
        return easy
    }

    private static func check(_ code: CURLcode, _ what: String) throws(TransportError) {
        guard code == CURLE_OK else { throw .setup("\(what): \(String(cString: curl_easy_strerror(code)))") }
    }

    private static func configure(_ easy: UnsafeMutableRawPointer, _ transfer: Transfer) throws(TransportError) {
        let request = transfer.request
        if let override = try ServerNameOverride(url: request.url, serverName: request.tls.serverName) {
            try check(roost_easy_setopt_string(easy, CURLOPT_URL, override.url), "URL")
            guard let connectTo = curl_slist_append(nil, override.connectTo) else { throw .setup("CONNECT_TO: out of memory") }
            transfer.connectToList = connectTo
            try check(roost_easy_setopt_slist(easy, CURLOPT_CONNECT_TO, connectTo), "CONNECT_TO")
        } else {
            try check(roost_easy_setopt_string(easy, CURLOPT_URL, request.url), "URL")
        }
        try check(roost_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1), "NOSIGNAL")
        try check(
            roost_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(transfer.errorBuffer)), "ERRORBUFFER")
        try check(roost_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS)), "HTTP_VERSION")
        if request.url.hasPrefix("https://") {
            // Over TLS, wait for ALPN to say whether an open connection multiplexes (HTTP/2)
            // rather than opening another. Never for plain HTTP/1.1: a request could then queue
            // behind a long-running watch response on the only connection.
            try check(roost_easy_setopt_long(easy, CURLOPT_PIPEWAIT, 1), "PIPEWAIT")
        }
        try check(roost_easy_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1), "TCP_KEEPALIVE")
        try check(roost_easy_setopt_long(easy, CURLOPT_TCP_KEEPIDLE, 30), "TCP_KEEPIDLE")
        try check(roost_easy_setopt_long(easy, CURLOPT_TCP_KEEPINTVL, 15), "TCP_KEEPINTVL")
        try check(roost_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Int(request.connectTimeout * 1000)), "CONNECTTIMEOUT")
        if let total = request.totalTimeout {
            try check(roost_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, Int(total * 1000)), "TIMEOUT")
        }
        let user = Unmanaged.passUnretained(transfer).toOpaque()
        try check(roost_easy_setopt_data_callback(easy, CURLOPT_WRITEFUNCTION, writeCallback), "WRITEFUNCTION")
        try check(roost_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, user), "WRITEDATA")
        try check(roost_easy_setopt_data_callback(easy, CURLOPT_HEADERFUNCTION, headerCallback), "HEADERFUNCTION")
        try check(roost_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, user), "HEADERDATA")

        switch request.method {
        case "GET": try check(roost_easy_setopt_long(easy, CURLOPT_HTTPGET, 1), "HTTPGET")
        case "HEAD": try check(roost_easy_setopt_long(easy, CURLOPT_NOBODY, 1), "NOBODY")
        case "POST": try check(roost_easy_setopt_long(easy, CURLOPT_POST, 1), "POST")
        default: try check(roost_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, request.method), "CUSTOMREQUEST")
        }
        if let body = request.body {
            try check(roost_easy_setopt_offset(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)), "POSTFIELDSIZE")
            let code = body.withUnsafeBytes { buffer in
                roost_easy_setopt_pointer(
                    easy, CURLOPT_COPYPOSTFIELDS,
                    UnsafeMutableRawPointer(mutating: buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1)))
            }
            try check(code, "COPYPOSTFIELDS")
        } else if request.method == "POST" {
            try check(roost_easy_setopt_offset(easy, CURLOPT_POSTFIELDSIZE_LARGE, 0), "POSTFIELDSIZE")
            try check(roost_easy_setopt_string(easy, CURLOPT_COPYPOSTFIELDS, ""), "COPYPOSTFIELDS")
        }

        var list: UnsafeMutablePointer<curl_slist>?
        for (name, value) in request.headers {
            list = curl_slist_append(list, "\(name): \(value)")
        }
        // No "Expect: 100-continue" round trip for large bodies.
        list = curl_slist_append(list, "Expect:")
        transfer.headerList = list
        try check(roost_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, list), "HTTPHEADER")

        let tls = request.tls
        if let ca = tls.caCertificatePEM {
            let code = ca.withUnsafeBytes { roost_easy_setopt_blob(easy, CURLOPT_CAINFO_BLOB, $0.baseAddress, $0.count) }
            try check(code, "CAINFO_BLOB")
        }
        if tls.insecureSkipVerify {
            try check(roost_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 0), "SSL_VERIFYPEER")
            try check(roost_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 0), "SSL_VERIFYHOST")
        }
        if let certificate = tls.clientCertificatePEM, let key = tls.clientKeyPEM {
            try check(roost_easy_setopt_string(easy, CURLOPT_SSLCERTTYPE, "PEM"), "SSLCERTTYPE")
            let certCode = certificate.withUnsafeBytes {
                roost_easy_setopt_blob(easy, CURLOPT_SSLCERT_BLOB, $0.baseAddress, $0.count)
            }
            try check(certCode, "SSLCERT_BLOB")
            try check(roost_easy_setopt_string(easy, CURLOPT_SSLKEYTYPE, "PEM"), "SSLKEYTYPE")
            let keyCode = key.withUnsafeBytes { roost_easy_setopt_blob(easy, CURLOPT_SSLKEY_BLOB, $0.baseAddress, $0.count) }
            try check(keyCode, "SSLKEY_BLOB")
        }
    }
}
