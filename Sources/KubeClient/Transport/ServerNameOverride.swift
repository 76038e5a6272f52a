import CCurl

/// How libcurl reaches an API server whose certificate names something other than the server
/// URL's host: the kubeconfig cluster's `tls-server-name`, which client-go passes on as
/// `rest.TLSClientConfig.ServerName` into `tls.Config.ServerName`
/// (`k8s.io/client-go/transport/transport.go` `TLSConfigFor`), so that it is both the SNI name
/// and the name the certificate is verified against.
///
/// libcurl sends SNI for, and verifies the certificate against, the host of the URL it is given,
/// and has no option to name another. So the URL's host becomes the server name and
/// `CURLOPT_CONNECT_TO` sends the TCP connection to the original host and port. The Host header
/// (HTTP/2 `:authority`) then carries the server name too, which kube-apiserver does not route on.
/// libcurl keys reused connections and TLS sessions by both names, so clients of different servers
/// that share a server name never share a connection.
struct ServerNameOverride: Equatable {
    /// The request URL with its host replaced by the server name.
    let url: String
    /// The `CURLOPT_CONNECT_TO` entry, `servername:port:host:port`; the port is the URL's, or the
    /// scheme's default (443) when the URL names none.
    let connectTo: String

    /// The override for one request, or nil when there is nothing to override: no server name (nil
    /// or empty) or a plain `http` URL, for which client-go ignores TLS settings too.
    /// - Parameters:
    ///   - url: the request's absolute URL.
    ///   - serverName: the name to verify the certificate against; an IPv6 address may be given
    ///     with or without brackets.
    /// - Throws: ``TransportError/setup(_:)`` when libcurl rejects the URL or the server name as
    ///   a host name.
    init?(url: String, serverName: String?) throws(TransportError) {
        guard let serverName, !serverName.isEmpty else { return nil }
        guard let handle = curl_url() else { throw .setup("curl_url failed") }
        defer { curl_url_cleanup(handle) }
        try Self.check(curl_url_set(handle, CURLUPART_URL, url, 0), "URL \(url)")
        guard try Self.part(handle, CURLUPART_SCHEME, url: url) == "https" else { return nil }
        let host = try Self.part(handle, CURLUPART_HOST, url: url)
        let port = try Self.part(handle, CURLUPART_PORT, flags: UInt32(CURLU_DEFAULT_PORT), url: url)
        let bracketed = serverName.contains(":") && !serverName.hasPrefix("[") ? "[\(serverName)]" : serverName
        try Self.check(curl_url_set(handle, CURLUPART_HOST, bracketed, 0), "tls-server-name \"\(serverName)\"")
        // Read back as libcurl spells it, which is what CURLOPT_CONNECT_TO matches against.
        let nameHost = try Self.part(handle, CURLUPART_HOST, url: url)
        self.url = try Self.part(handle, CURLUPART_URL, url: url)
        connectTo = "\(nameHost):\(port):\(host):\(port)"
    }

    private static func check(_ code: CURLUcode, _ what: String) throws(TransportError) {
        guard code == CURLUE_OK else { throw .setup("\(what): \(String(cString: curl_url_strerror(code)))") }
    }

    private static func part(_ handle: OpaquePointer, _ part: CURLUPart, flags: UInt32 = 0, url: String)
        throws(TransportError) -> String
    {
        var text: UnsafeMutablePointer<CChar>?
        try check(curl_url_get(handle, part, &text, flags), "URL \(url)")
        guard let text else { throw .setup("URL \(url): libcurl returned no value for part \(part.rawValue)") }
        defer { curl_free(text) }
        return String(cString: text)
    }
}
