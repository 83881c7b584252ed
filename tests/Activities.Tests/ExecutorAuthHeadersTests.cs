using OpenDesign.Workflows.Activities.Executor;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Activities.Tests;

public sealed class ExecutorAuthHeadersTests
{
    private const string Secret = "very-secret-value";

    private static readonly ExecutorAuthHeaders Headers = new(name => name == "EXEC_TOKEN" ? Secret : null);

    [Fact]
    public void No_auth_or_kind_none_sends_no_header()
    {
        Assert.Empty(Headers.For(null));
        Assert.Empty(Headers.For(new ExecutorAuth(ExecutorAuthKinds.None)));
    }

    [Fact]
    public void Bearer_env_reads_the_variable_into_an_authorization_bearer()
    {
        var headers = Headers.For(new ExecutorAuth(ExecutorAuthKinds.BearerEnv, "EXEC_TOKEN"));

        Assert.Equal("Bearer " + Secret, Assert.Single(headers, h => h.Key == "Authorization").Value);
        Assert.Single(headers);
    }

    [Fact]
    public void Header_env_reads_the_variable_into_the_named_header()
    {
        var headers = Headers.For(new ExecutorAuth(ExecutorAuthKinds.HeaderEnv, "EXEC_TOKEN", "X-Executor-Key"));

        Assert.Equal(Secret, Assert.Single(headers).Value);
        Assert.Equal(Secret, headers["x-executor-key"]);
    }

    [Fact]
    public void The_variable_is_read_at_call_time_not_when_the_headers_object_is_built()
    {
        var value = "first";
        var headers = new ExecutorAuthHeaders(_ => value);
        var auth = new ExecutorAuth(ExecutorAuthKinds.BearerEnv, "ANY");

        Assert.Equal("Bearer first", headers.For(auth)["Authorization"]);
        value = "rotated";
        Assert.Equal("Bearer rotated", headers.For(auth)["Authorization"]);
    }

    [Theory]
    [InlineData(ExecutorAuthKinds.BearerEnv, null)]
    [InlineData(ExecutorAuthKinds.HeaderEnv, "X-Executor-Key")]
    public void A_missing_or_empty_variable_throws_misconfigured_naming_the_variable(string kind, string? header)
    {
        var missing = Assert.Throws<ExecutorMisconfiguredException>(() => Headers.For(new ExecutorAuth(kind, "NOT_SET", header)));
        var empty = Assert.Throws<ExecutorMisconfiguredException>(() =>
            new ExecutorAuthHeaders(_ => "").For(new ExecutorAuth(kind, "EMPTY_ONE", header)));

        Assert.Contains("NOT_SET", missing.Message, StringComparison.Ordinal);
        Assert.Contains("EMPTY_ONE", empty.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_secret_never_appears_in_an_exception_message()
    {
        // The service has the secret under one name; the policy names another. Whatever goes wrong, no message carries it.
        var e = Assert.Throws<ExecutorMisconfiguredException>(() => Headers.For(new ExecutorAuth(ExecutorAuthKinds.BearerEnv, "EXEC_TOKEN_2")));

        Assert.DoesNotContain(Secret, e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_constructor_reads_the_process_environment()
    {
        var name = "OD_ACTIVITIES_TEST_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(name, "from-env");
        try
        {
            Assert.Equal("Bearer from-env", new ExecutorAuthHeaders().For(new ExecutorAuth(ExecutorAuthKinds.BearerEnv, name))["Authorization"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }
}
