using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Digest.Tests.Sink;

/// <summary>Certificates made in the test, as a stock Postfix makes its "snakeoil" one: self-signed, for the machine's name.</summary>
public static class TestCertificates
{
    public static X509Certificate2 SelfSigned(string name = "snakeoil.localdomain")
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }
}
