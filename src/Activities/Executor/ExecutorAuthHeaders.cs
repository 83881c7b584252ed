using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Activities.Executor;

/// <summary>
/// Builds the auth header a run's policy names, reading the secret from the service's environment at call time: it is
/// never stored, never put in workflow history, and never logged.
/// </summary>
public sealed class ExecutorAuthHeaders(Func<string, string?> environment)
{
    public ExecutorAuthHeaders() : this(Environment.GetEnvironmentVariable) { }

    /// <exception cref="ExecutorMisconfiguredException">The policy names a variable the service does not have.</exception>
    public Dictionary<string, string> For(ExecutorAuth? auth)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (auth is null || auth.Kind == ExecutorAuthKinds.None) return headers;
        var value = environment(auth.Env!);
        if (string.IsNullOrEmpty(value))
        {
            throw new ExecutorMisconfiguredException($"the environment variable {auth.Env} named by the run's executor auth is not set on the service");
        }
        if (auth.Kind == ExecutorAuthKinds.BearerEnv) headers["Authorization"] = "Bearer " + value;
        else headers[auth.Header!] = value;
        return headers;
    }
}

public sealed class ExecutorMisconfiguredException(string message) : Exception(message);
