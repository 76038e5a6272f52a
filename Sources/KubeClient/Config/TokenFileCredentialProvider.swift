import Foundation
import Synchronization

/// A bearer token read from a file that may be rotated (a kubeconfig `tokenFile`, or the projected
/// service-account token in a pod), following `k8s.io/client-go/transport/token_source.go`
/// (`NewCachedFileTokenSource`, `cachingTokenSource`).
///
/// - The file is re-read when the last successful read is older than `refreshInterval` (60 s by default,
///   as client-go), or after ``invalidate()``.
/// - Its contents are trimmed of surrounding whitespace; an empty file is a failed read.
/// - A failed read keeps the last good token (or `initialToken`) and logs a warning (at most once per
///   refresh interval); the file is tried again on the next call. With no token at all, the call throws.
///
/// Thread-safe: state sits behind a `Mutex`, and the (small, local) file is read while holding it, so
/// concurrent callers never read it twice.
public final class TokenFileCredentialProvider: CredentialProvider {
    /// The token file's path.
    public let path: String
    private let base: Credentials
    private let refreshInterval: TimeInterval
    private let now: @Sendable () -> Date

    private struct State {
        var token: String?
        var lastRead: Date?
        var lastWarning: Date?
    }
    private let state: Mutex<State>

    /// - Parameters:
    ///   - path: absolute path of the token file.
    ///   - initialToken: a token to fall back on until the file has been read successfully
    ///     (a kubeconfig `token` next to `tokenFile`, or the token read when the configuration loaded).
    ///   - clientCertificatePEM, clientKeyPEM: a static client certificate sent along with the token.
    ///   - refreshInterval: how long a read token is used before the file is read again.
    ///   - now: the clock (injectable for tests).
    public init(
        path: String, initialToken: String? = nil, clientCertificatePEM: [UInt8]? = nil, clientKeyPEM: [UInt8]? = nil,
        refreshInterval: Duration = .seconds(60), now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.path = path
        self.base = Credentials(clientCertificatePEM: clientCertificatePEM, clientKeyPEM: clientKeyPEM)
        self.refreshInterval = refreshInterval.timeIntervalSeconds
        self.now = now
        self.state = Mutex(State(token: initialToken))
    }

    /// The current token (re-reading the file when due) with the static client certificate, if any.
    /// - Throws: ``ConfigurationError`` `.tokenFile` when the file cannot be read (or is empty) and
    ///   no earlier token is known.
    public func credentials() async throws(ConfigurationError) -> Credentials {
        let token = try currentToken()
        var credentials = base
        credentials.bearerToken = token
        return credentials
    }

    /// Makes the next ``credentials()`` call re-read the file.
    public func invalidate() async {
        state.withLock { $0.lastRead = nil }
    }

    /// The synchronous core of ``credentials()``.
    func currentToken() throws(ConfigurationError) -> String {
        let now = self.now()
        return try state.withLock { (state: inout State) throws(ConfigurationError) -> String in
            if let token = state.token, let lastRead = state.lastRead,
                now.timeIntervalSince(lastRead) < refreshInterval
            {
                return token
            }
            switch Self.read(path) {
            case .success(let token):
                state.token = token
                state.lastRead = now
                state.lastWarning = nil
                return token
            case .failure(let problem):
                guard let token = state.token else {
                    throw ConfigurationError(.tokenFile, "cannot read token file \(path): \(problem)")
                }
                if state.lastWarning.map({ now.timeIntervalSince($0) >= refreshInterval }) ?? true {
                    state.lastWarning = now
                    configLogger.warning(
                        "cannot re-read token file; using the last token read",
                        metadata: ["path": "\(path)", "error": "\(problem)"])
                }
                return token
            }
        }
    }

    /// Reads and trims the token file (`strings.TrimSpace` in client-go).
    static func read(_ path: String) -> Result<String, ReadProblem> {
        do {
            let bytes = try ConfigFileAccess.readAll(path)
            let token = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if token.isEmpty { return .failure(ReadProblem(reason: "the file is empty")) }
            return .success(token)
        } catch {
            return .failure(ReadProblem(reason: error.reason))
        }
    }

    struct ReadProblem: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    var timeIntervalSeconds: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
