using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Temporalio.Api.Common.V1;
using Temporalio.Api.ErrorDetails.V1;

namespace OpenDesign.Workflows.Temporal.TestServer.Grpc;

// Errors the way a Temporal frontend sends them. The SDK turns a status into a typed exception
// (WorkflowAlreadyStartedException, WorkflowQueryFailedException, ...) only when the
// grpc-status-details-bin trailer carries a google.rpc.Status whose single detail is the matching
// errordetails message; a bare status would surface as a generic RpcException.
internal static class RpcErrors
{
    public static RpcException WithDetail(StatusCode code, string message, IMessage? detail)
    {
        var trailers = new Metadata();
        if (detail is not null)
        {
            var status = new GrpcStatus { Code = (int)code, Message = message };
            status.Details.Add(Any.Pack(detail));
            trailers.Add("grpc-status-details-bin", status.ToByteArray());
        }
        return new RpcException(new Status(code, message), trailers);
    }

    public static RpcException NotFound(string message) =>
        WithDetail(StatusCode.NotFound, message, new NotFoundFailure());

    public static RpcException InvalidArgument(string message) =>
        new(new Status(StatusCode.InvalidArgument, message));

    // For an option or command this server does not implement: a test that relies on it fails at
    // once with a message naming it, instead of passing against behaviour a real server does not have.
    public static RpcException Unimplemented(string message) =>
        new(new Status(StatusCode.Unimplemented, message));

    public static RpcException NamespaceNotFound(string ns) =>
        WithDetail(StatusCode.NotFound, $"Namespace {ns} is not found.", new NamespaceNotFoundFailure { Namespace = ns });

    public static RpcException AlreadyStarted(string workflowId, string runId, string startRequestId) =>
        WithDetail(
            StatusCode.AlreadyExists,
            $"Workflow execution is already running. WorkflowId: {workflowId}, RunId: {runId}.",
            new WorkflowExecutionAlreadyStartedFailure { RunId = runId, StartRequestId = startRequestId });

    public static RpcException QueryFailed(string message, Temporalio.Api.Failure.V1.Failure? failure) =>
        WithDetail(StatusCode.InvalidArgument, message, new QueryFailedFailure { Failure = failure });

    public static RpcException WorkflowCompleted() => NotFound("workflow execution already completed");
}
