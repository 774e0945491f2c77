using TaskFlow.Security;

namespace TaskFlow.UnitTests.Security;

public sealed class PasswordHashesTests
{
    [Fact]
    public void A_hash_verifies_its_password_and_no_other()
    {
        var hash = PasswordHashes.Hash("correct horse");
        Assert.StartsWith("pbkdf2-sha512$", hash, StringComparison.Ordinal);
        Assert.True(PasswordHashes.Verify("correct horse", hash));
        Assert.False(PasswordHashes.Verify("correct horse ", hash));
        Assert.False(PasswordHashes.Verify("", hash));
    }

    [Fact]
    public void The_same_password_hashes_differently_each_time()
    {
        Assert.NotEqual(PasswordHashes.Hash("pw"), PasswordHashes.Hash("pw"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain-text-password")]
    [InlineData("pbkdf2-sha512$100$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("pbkdf2-sha512$210000$not-base64$AAAA")]
    public void Malformed_hashes_never_verify(string encoded)
    {
        Assert.False(PasswordHashes.Verify("anything", encoded));
    }
}
