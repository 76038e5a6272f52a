import Foundation
import KubeModel

/// A parsed kubeconfig file (or several merged), as `k8s.io/client-go/tools/clientcmd/api` `Config`.
///
/// Parsing follows `clientcmd/loader.go` (`LoadFromFile`, `ResolveLocalPaths`) and the v1 conversion
/// rules: named lists become maps, duplicate names in one file are an error, unknown keys are ignored,
/// empty strings mean "unset", and every file path (`certificate-authority`, `client-certificate`,
/// `client-key`, `tokenFile`, and an exec `command` that contains a `/`) is resolved against the
/// directory of the file that defined it. `*-data` fields are base64 (standard alphabet, padded;
/// line breaks ignored, as Go's `encoding/json` `[]byte`).
public struct Kubeconfig: Sendable, Equatable {
    /// One `clusters[].cluster` entry.
    public struct Cluster: Sendable, Equatable {
        /// `server`: the API server URL as written (normalised by ``ClientConfiguration``).
        public var server: String?
        /// `certificate-authority`: absolute path of a PEM CA bundle.
        public var certificateAuthority: String?
        /// `certificate-authority-data`: decoded PEM bytes.
        public var certificateAuthorityData: [UInt8]?
        /// `insecure-skip-tls-verify`.
        public var insecureSkipTLSVerify: Bool
        /// `tls-server-name`.
        public var tlsServerName: String?
        /// `proxy-url` (parsed and passed to exec plugins; the transport does not use it yet).
        public var proxyURL: String?
        /// `disable-compression`.
        public var disableCompression: Bool
        /// The `extensions[]` entry named `client.authentication.k8s.io/exec`, given to exec plugins
        /// with `provideClusterInfo` as `spec.cluster.config`.
        public var execExtension: JSONValue?
        /// The file this entry came from.
        public var locationOfOrigin: String

        /// Creates a cluster entry.
        public init(
            server: String? = nil, certificateAuthority: String? = nil, certificateAuthorityData: [UInt8]? = nil,
            insecureSkipTLSVerify: Bool = false, tlsServerName: String? = nil, proxyURL: String? = nil,
            disableCompression: Bool = false, execExtension: JSONValue? = nil, locationOfOrigin: String = ""
        ) {
            self.server = server
            self.certificateAuthority = certificateAuthority
            self.certificateAuthorityData = certificateAuthorityData
            self.insecureSkipTLSVerify = insecureSkipTLSVerify
            self.tlsServerName = tlsServerName
            self.proxyURL = proxyURL
            self.disableCompression = disableCompression
            self.execExtension = execExtension
            self.locationOfOrigin = locationOfOrigin
        }
    }

    /// How an exec plugin may interact with the user (`clientcmd/api` `ExecInteractiveMode`).
    public enum InteractiveMode: String, Sendable, Equatable {
        /// The plugin never needs standard input.
        case never = "Never"
        /// The plugin uses standard input when available (the v1beta1 default).
        case ifAvailable = "IfAvailable"
        /// The plugin requires standard input; Roost cannot run it (a controller has no terminal).
        case always = "Always"
    }

    /// One `env` entry of an exec plugin.
    public struct EnvVar: Sendable, Equatable {
        /// The variable's name.
        public var name: String
        /// Its value (empty when the kubeconfig omits it).
        public var value: String

        /// Creates an environment entry.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// `users[].user.exec`: an external command printing an `ExecCredential`
    /// (`k8s.io/client-go/plugin/pkg/client/auth/exec/exec.go`).
    public struct ExecConfig: Sendable, Equatable {
        /// `client.authentication.k8s.io/v1` or `client.authentication.k8s.io/v1beta1`.
        public var apiVersion: String
        /// The executable: a name looked up on `PATH`, or a path (relative ones resolved against the kubeconfig's directory).
        public var command: String
        /// Arguments passed to the command.
        public var args: [String]
        /// Added to (and overriding) the process environment.
        public var env: [EnvVar]
        /// Shown when the command cannot be found or fails.
        public var installHint: String?
        /// Pass the cluster's server, CA and extension config in `KUBERNETES_EXEC_INFO`.
        public var provideClusterInfo: Bool
        /// `interactiveMode`; defaults to `IfAvailable`.
        public var interactiveMode: InteractiveMode

        /// Creates an exec configuration.
        public init(
            apiVersion: String, command: String, args: [String] = [], env: [EnvVar] = [], installHint: String? = nil,
            provideClusterInfo: Bool = false, interactiveMode: InteractiveMode = .ifAvailable
        ) {
            self.apiVersion = apiVersion
            self.command = command
            self.args = args
            self.env = env
            self.installHint = installHint
            self.provideClusterInfo = provideClusterInfo
            self.interactiveMode = interactiveMode
        }
    }

    /// One `users[].user` entry (`AuthInfo`).
    public struct User: Sendable, Equatable {
        /// `token`.
        public var token: String?
        /// `tokenFile`: absolute path, re-read periodically.
        public var tokenFile: String?
        /// `client-certificate`: absolute path of a PEM certificate.
        public var clientCertificate: String?
        /// `client-certificate-data`: decoded PEM bytes.
        public var clientCertificateData: [UInt8]?
        /// `client-key`: absolute path of a PEM key.
        public var clientKey: String?
        /// `client-key-data`: decoded PEM bytes.
        public var clientKeyData: [UInt8]?
        /// `exec`.
        public var exec: ExecConfig?
        /// True when the entry has an `auth-provider` (unsupported; selecting this user fails).
        public var hasAuthProvider: Bool
        /// True when the entry has `username`/`password` (basic auth; unsupported, ignored with a warning).
        public var hasBasicAuth: Bool
        /// The file this entry came from.
        public var locationOfOrigin: String

        /// Creates a user entry.
        public init(
            token: String? = nil, tokenFile: String? = nil, clientCertificate: String? = nil,
            clientCertificateData: [UInt8]? = nil, clientKey: String? = nil, clientKeyData: [UInt8]? = nil,
            exec: ExecConfig? = nil, hasAuthProvider: Bool = false, hasBasicAuth: Bool = false,
            locationOfOrigin: String = ""
        ) {
            self.token = token
            self.tokenFile = tokenFile
            self.clientCertificate = clientCertificate
            self.clientCertificateData = clientCertificateData
            self.clientKey = clientKey
            self.clientKeyData = clientKeyData
            self.exec = exec
            self.hasAuthProvider = hasAuthProvider
            self.hasBasicAuth = hasBasicAuth
            self.locationOfOrigin = locationOfOrigin
        }
    }

    /// One `contexts[].context` entry.
    public struct Context: Sendable, Equatable {
        /// The cluster's name.
        public var cluster: String
        /// The user's name; empty for anonymous access.
        public var user: String
        /// The default namespace; nil means `default`.
        public var namespace: String?
        /// The file this entry came from.
        public var locationOfOrigin: String

        /// Creates a context entry.
        public init(cluster: String, user: String = "", namespace: String? = nil, locationOfOrigin: String = "") {
            self.cluster = cluster
            self.user = user
            self.namespace = namespace
            self.locationOfOrigin = locationOfOrigin
        }
    }

    /// Clusters by name.
    public var clusters: [String: Cluster]
    /// Users (`AuthInfos`) by name.
    public var users: [String: User]
    /// Contexts by name.
    public var contexts: [String: Context]
    /// `current-context`; nil when unset or empty.
    public var currentContext: String?
    /// The files this configuration was read from, in precedence order.
    public var sources: [String]

    /// An empty configuration.
    public init(
        clusters: [String: Cluster] = [:], users: [String: User] = [:], contexts: [String: Context] = [:],
        currentContext: String? = nil, sources: [String] = []
    ) {
        self.clusters = clusters
        self.users = users
        self.contexts = contexts
        self.currentContext = currentContext
        self.sources = sources
    }

    /// Merges `other` into `self` with client-go's precedence (`clientcmd/loader.go` `Load`): `self`
    /// came first, so for every map key (cluster, user, context name) the entry already present wins
    /// entirely and `other`'s is discarded; `current-context` is taken from `other` only when unset.
    public mutating func merge(_ other: Kubeconfig) {
        for (name, cluster) in other.clusters where clusters[name] == nil { clusters[name] = cluster }
        for (name, user) in other.users where users[name] == nil { users[name] = user }
        for (name, context) in other.contexts where contexts[name] == nil { contexts[name] = context }
        if currentContext == nil { currentContext = other.currentContext }
        sources.append(contentsOf: other.sources)
    }

    /// Reads and parses one kubeconfig file. An empty file is an empty configuration.
    /// - Parameter path: absolute or relative to the current directory.
    /// - Throws: ``ConfigurationError`` `.unreadableFile` (naming the path and errno reason) or
    ///   `.malformed` / `.invalidValue` from ``parse(_:path:)``.
    public static func load(path: String) throws(ConfigurationError) -> Kubeconfig {
        let absolute = ConfigFileAccess.absolute(path)
        let bytes: [UInt8]
        do {
            bytes = try ConfigFileAccess.readAll(absolute)
        } catch {
            throw ConfigurationError(.unreadableFile, "cannot read kubeconfig \(absolute): \(error.reason)")
        }
        return try parse(bytes, path: absolute)
    }

    /// Loads a precedence list (as `$KUBECONFIG`) and merges it first-wins (``merge(_:)``).
    /// Empty and repeated entries are skipped, and so are files that do not exist, as client-go does;
    /// the result's ``sources`` lists the files actually read (empty when none existed).
    /// - Throws: ``ConfigurationError`` for files that exist but cannot be read or parsed.
    public static func load(paths: [String]) throws(ConfigurationError) -> Kubeconfig {
        var result = Kubeconfig()
        var seen: Set<String> = []
        for path in paths where !path.isEmpty {
            let absolute = ConfigFileAccess.absolute(path)
            guard seen.insert(absolute).inserted else { continue }
            let bytes: [UInt8]
            do {
                bytes = try ConfigFileAccess.readAll(absolute)
            } catch {
                if error.isNotFound { continue }
                throw ConfigurationError(.unreadableFile, "cannot read kubeconfig \(absolute): \(error.reason)")
            }
            result.merge(try parse(bytes, path: absolute))
        }
        return result
    }

    /// Parses kubeconfig YAML (or JSON).
    /// - Parameters:
    ///   - bytes: the file's contents.
    ///   - path: the file's absolute path: named in errors, recorded as ``sources`` and each entry's
    ///     `locationOfOrigin`, and the directory relative file paths resolve against.
    /// - Throws: ``ConfigurationError`` `.malformed` (bad YAML, wrong types, duplicate or missing names),
    ///   `.invalidValue` (invalid base64, unknown exec `apiVersion` or `interactiveMode`, exec without command).
    public static func parse(_ bytes: [UInt8], path: String) throws(ConfigurationError) -> Kubeconfig {
        let document: JSONValue
        do {
            document = try YAMLDocument.parse(bytes)
        } catch {
            throw ConfigurationError(.malformed, "kubeconfig \(path) is not valid YAML: \(error)")
        }
        var config = Kubeconfig(sources: [path])
        if document == .null { return config }
        guard case .object(let top) = document else {
            throw ConfigurationError(
                .malformed, "kubeconfig \(path): expected a mapping at the top level, got \(document.typeName)")
        }
        let root = KubeconfigFields(file: path, object: top, path: "")
        let directory = ConfigFileAccess.directory(of: path)
        config.currentContext = try root.string("current-context")

        for (name, fields) in try root.namedList("clusters", entryKey: "cluster") {
            config.clusters[name] = try parseCluster(fields, directory: directory)
        }
        for (name, fields) in try root.namedList("users", entryKey: "user") {
            config.users[name] = try parseUser(fields, directory: directory)
        }
        for (name, fields) in try root.namedList("contexts", entryKey: "context") {
            config.contexts[name] = Context(
                cluster: try fields.string("cluster") ?? "", user: try fields.string("user") ?? "",
                namespace: try fields.string("namespace"), locationOfOrigin: path)
        }
        return config
    }

    static func parseCluster(_ fields: KubeconfigFields, directory: String) throws(ConfigurationError) -> Cluster {
        var cluster = Cluster(locationOfOrigin: fields.file)
        cluster.server = try fields.string("server")
        cluster.certificateAuthority = ConfigFileAccess.resolve(try fields.string("certificate-authority"), against: directory)
        cluster.certificateAuthorityData = try fields.base64("certificate-authority-data")
        cluster.insecureSkipTLSVerify = try fields.bool("insecure-skip-tls-verify") ?? false
        cluster.tlsServerName = try fields.string("tls-server-name")
        cluster.proxyURL = try fields.string("proxy-url")
        cluster.disableCompression = try fields.bool("disable-compression") ?? false
        for (name, extensionFields) in try fields.namedList("extensions", entryKey: "extension", allowNonObject: true)
        where name == "client.authentication.k8s.io/exec" {
            cluster.execExtension = extensionFields.raw
        }
        return cluster
    }

    static func parseUser(_ fields: KubeconfigFields, directory: String) throws(ConfigurationError) -> User {
        var user = User(locationOfOrigin: fields.file)
        user.token = try fields.string("token")
        user.tokenFile = ConfigFileAccess.resolve(try fields.string("tokenFile"), against: directory)
        user.clientCertificate = ConfigFileAccess.resolve(try fields.string("client-certificate"), against: directory)
        user.clientCertificateData = try fields.base64("client-certificate-data")
        user.clientKey = ConfigFileAccess.resolve(try fields.string("client-key"), against: directory)
        user.clientKeyData = try fields.base64("client-key-data")
        user.hasAuthProvider = try fields.object("auth-provider") != nil
        let username = try fields.string("username")
        let password = try fields.string("password")
        user.hasBasicAuth = username != nil || password != nil
        if let exec = try fields.object("exec") {
            user.exec = try parseExec(exec, directory: directory)
        }
        return user
    }

    /// The exec plugin API versions Roost speaks.
    static let execAPIVersions = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"]

    static func parseExec(_ fields: KubeconfigFields, directory: String) throws(ConfigurationError) -> ExecConfig {
        guard let command = try fields.string("command") else {
            throw fields.error(.invalidValue, "command", "is required for an exec plugin")
        }
        let apiVersion = try fields.string("apiVersion") ?? ""
        guard execAPIVersions.contains(apiVersion) else {
            throw fields.error(
                .invalidValue, "apiVersion",
                "must be one of \(execAPIVersions.joined(separator: ", ")), got \"\(apiVersion)\"")
        }
        var exec = ExecConfig(apiVersion: apiVersion, command: command)
        // As ResolveLocalPaths: only a command with a path separator is a file path; bare names use PATH.
        if command.contains("/"), let resolved = ConfigFileAccess.resolve(command, against: directory) {
            exec.command = resolved
        }
        exec.args = try fields.stringArray("args")
        for (index, entry) in try fields.objectArray("env").enumerated() {
            guard let name = try entry.string("name") else {
                throw entry.error(.malformed, "name", "is required (env entry \(index))")
            }
            exec.env.append(EnvVar(name: name, value: try entry.string("value") ?? ""))
        }
        exec.installHint = try fields.string("installHint")
        exec.provideClusterInfo = try fields.bool("provideClusterInfo") ?? false
        if let mode = try fields.string("interactiveMode") {
            guard let parsed = InteractiveMode(rawValue: mode) else {
                throw fields.error(.invalidValue, "interactiveMode", "must be Never, IfAvailable or Always, got \"\(mode)\"")
            }
            exec.interactiveMode = parsed
        }
        return exec
    }
}

/// Typed access to one mapping of a kubeconfig document, producing errors that name the file and key path.
struct KubeconfigFields {
    /// The kubeconfig file.
    let file: String
    let object: JSONObject
    /// Where this mapping sits, e.g. `users["dev"].user`; empty at the top level.
    let path: String
    /// The mapping as a value (for extensions that are passed through).
    var raw: JSONValue { .object(object) }

    init(file: String, object: JSONObject, path: String) {
        self.file = file
        self.object = object
        self.path = path
    }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func error(_ kind: ConfigurationError.Kind, _ key: String, _ problem: String) -> ConfigurationError {
        ConfigurationError(kind, "kubeconfig \(file): \(keyPath(key)) \(problem)")
    }

    func typeError(_ key: String, expected: String, got value: JSONValue) -> ConfigurationError {
        error(.malformed, key, "must be \(expected), got \(value.typeName)")
    }

    /// The string at `key`; nil when absent, null or empty (Go's zero value means unset).
    func string(_ key: String) throws(ConfigurationError) -> String? {
        guard let value = object[key], value != .null else { return nil }
        guard case .string(let string) = value else { throw typeError(key, expected: "a string", got: value) }
        return string.isEmpty ? nil : string
    }

    func bool(_ key: String) throws(ConfigurationError) -> Bool? {
        guard let value = object[key], value != .null else { return nil }
        guard case .bool(let bool) = value else { throw typeError(key, expected: "a boolean", got: value) }
        return bool
    }

    func object(_ key: String) throws(ConfigurationError) -> KubeconfigFields? {
        guard let value = object[key], value != .null else { return nil }
        guard case .object(let child) = value else { throw typeError(key, expected: "a mapping", got: value) }
        return KubeconfigFields(file: file, object: child, path: keyPath(key))
    }

    func stringArray(_ key: String) throws(ConfigurationError) -> [String] {
        guard let value = object[key], value != .null else { return [] }
        guard case .array(let items) = value else { throw typeError(key, expected: "a list", got: value) }
        var result: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let string) = item else {
                throw typeError("\(key)[\(index)]", expected: "a string", got: item)
            }
            result.append(string)
        }
        return result
    }

    func objectArray(_ key: String) throws(ConfigurationError) -> [KubeconfigFields] {
        guard let value = object[key], value != .null else { return [] }
        guard case .array(let items) = value else { throw typeError(key, expected: "a list", got: value) }
        var result: [KubeconfigFields] = []
        for (index, item) in items.enumerated() {
            guard case .object(let child) = item else {
                throw typeError("\(key)[\(index)]", expected: "a mapping", got: item)
            }
            result.append(KubeconfigFields(file: file, object: child, path: "\(keyPath(key))[\(index)]"))
        }
        return result
    }

    /// Decodes base64 at `key` as Go's `encoding/json` does for `[]byte` (standard alphabet, padded, CR/LF ignored).
    func base64(_ key: String) throws(ConfigurationError) -> [UInt8]? {
        guard let string = try string(key) else { return nil }
        let cleaned = string.filter { $0 != "\n" && $0 != "\r" }
        guard let data = Data(base64Encoded: cleaned) else {
            throw error(.invalidValue, key, "is not valid base64")
        }
        return [UInt8](data)
    }

    /// A kubeconfig named list (`clusters: [{name: a, cluster: {...}}]`) as (name, fields of the entry's
    /// `entryKey` mapping). Duplicate or missing names are errors, as in client-go's v1 conversion.
    func namedList(_ key: String, entryKey: String, allowNonObject: Bool = false) throws(ConfigurationError)
        -> [(String, KubeconfigFields)]
    {
        var result: [(String, KubeconfigFields)] = []
        var names: Set<String> = []
        for (index, entry) in try objectArray(key).enumerated() {
            guard let name = try entry.string("name") else {
                throw entry.error(.malformed, "name", "is required")
            }
            guard names.insert(name).inserted else {
                throw error(.malformed, key, "has two entries named \"\(name)\" (entries \(index) and earlier)")
            }
            let entryPath = "\(keyPath(key))[\"\(name)\"].\(entryKey)"
            let value = entry.object[entryKey] ?? .null
            switch value {
            case .object(let child):
                result.append((name, KubeconfigFields(file: file, object: child, path: entryPath)))
            case .null:
                result.append((name, KubeconfigFields(file: file, object: JSONObject(), path: entryPath)))
            default:
                if allowNonObject { continue }
                throw entry.typeError(entryKey, expected: "a mapping", got: value)
            }
        }
        return result
    }
}
