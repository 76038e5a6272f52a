import KubeModel

/// A Kubernetes API client over libcurl. See the type's members for the verbs.
public enum KubeClientModule {}
