/// Why a client configuration could not be loaded, or why credentials could not be obtained.
///
/// The ``message`` names what was being read: the kubeconfig file, the context, cluster or user,
/// the key (`users["dev"].user.client-key-data`), the referenced file, or the exec plugin command.
/// ``kind`` classifies the failure for callers that want to react to it (tests, `roost` exit codes).
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Broad classes of configuration failure.
    public enum Kind: Sendable, Equatable {
        /// Nothing to load: not in a cluster, no `$KUBECONFIG`, no `~/.kube/config`, or no context chosen.
        case notConfigured
        /// A file (kubeconfig, certificate, key, token, CA) could not be read.
        case unreadableFile
        /// A kubeconfig file is not YAML, or a key has the wrong type or a duplicate name.
        case malformed
        /// A context, cluster or user named somewhere is not defined.
        case missingReference
        /// A value is present but unusable: invalid base64, a non-http(s) server URL, an unknown exec apiVersion, …
        case invalidValue
        /// A kubeconfig feature Roost does not implement (for example `auth-provider`).
        case unsupported
        /// An exec credential plugin could not be run, failed, timed out, or printed an invalid `ExecCredential`.
        case execPlugin
        /// A token file could not be read and no earlier token is available.
        case tokenFile
    }

    /// The class of failure.
    public var kind: Kind
    /// A human-readable explanation naming the file, context, key or command involved.
    public var message: String

    /// Creates an error of `kind` with `message`.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The same as ``message``.
    public var description: String { message }
}
