import Crypto
import Foundation
import SwiftASN1
import X509

/// The PKI a simulated cluster generates for itself at start: a CA, a serving certificate for
/// localhost/127.0.0.1/::1 signed by it, and an admin client certificate (CN `admin`, O
/// `system:masters`, as kubeadm issues it), all P-256 and PEM-encoded.
public struct TLSMaterial: Sendable {
    public var caCertificatePEM: String
    public var serverCertificatePEM: String
    public var serverKeyPEM: String
    public var clientCertificatePEM: String
    public var clientKeyPEM: String

    /// Errors while generating certificates.
    public struct GenerationError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Generates a fresh CA and certificates valid from one hour ago for one year.
    /// - Throws: ``GenerationError`` when signing or encoding fails.
    public static func generate(commonName: String = "roost-sim") throws -> TLSMaterial {
        do {
            let now = Date()
            let notBefore = now.addingTimeInterval(-3600)
            let notAfter = now.addingTimeInterval(365 * 24 * 3600)
            let caKey = P256.Signing.PrivateKey()
            let caName = try DistinguishedName { CommonName("\(commonName)-ca") }
            let caCertificate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(),
                publicKey: .init(caKey.publicKey), notValidBefore: notBefore, notValidAfter: notAfter,
                issuer: caName, subject: caName,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                    Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                },
                issuerPrivateKey: .init(caKey))

            let serverKey = P256.Signing.PrivateKey()
            let serverCertificate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(),
                publicKey: .init(serverKey.publicKey), notValidBefore: notBefore, notValidAfter: notAfter,
                issuer: caName, subject: try DistinguishedName { CommonName("kube-apiserver") },
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                    try ExtendedKeyUsage([.serverAuth])
                    SubjectAlternativeNames([
                        .dnsName("localhost"), .dnsName("kubernetes"), .dnsName("kubernetes.default"),
                        .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                        .ipAddress(ASN1OctetString(contentBytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])),
                    ])
                },
                issuerPrivateKey: .init(caKey))

            let clientKey = P256.Signing.PrivateKey()
            let clientCertificate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(),
                publicKey: .init(clientKey.publicKey), notValidBefore: notBefore, notValidAfter: notAfter,
                issuer: caName,
                subject: try DistinguishedName {
                    OrganizationName("system:masters")
                    CommonName("admin")
                },
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                    try ExtendedKeyUsage([.clientAuth])
                },
                issuerPrivateKey: .init(caKey))

            return TLSMaterial(
                caCertificatePEM: try caCertificate.serializeAsPEM().pemString,
                serverCertificatePEM: try serverCertificate.serializeAsPEM().pemString,
                serverKeyPEM: serverKey.pemRepresentation,
                clientCertificatePEM: try clientCertificate.serializeAsPEM().pemString,
                clientKeyPEM: clientKey.pemRepresentation)
        } catch {
            throw GenerationError(description: "generating the simulated cluster's certificates failed: \(error)")
        }
    }
}
