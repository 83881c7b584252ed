namespace OpenDesign.Workflows.Workflows;

/// <summary>Error types activities raise that the workflow's retry policies treat specially.</summary>
public static class ActivityPolicyErrorTypes
{
    /// <summary>Retrying cannot help (a policy that names a variable the service lacks, say).</summary>
    public const string NonRetryable = "NonRetryable";
}
