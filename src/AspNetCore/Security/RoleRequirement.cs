using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace TaskFlow.Security;

/// <summary>Configured users: <c>viewer</c> and <c>admin</c> may read (GET, HEAD); only <c>admin</c> may change
/// anything (every other method).</summary>
internal sealed class RoleRequirement : AuthorizationHandler<RoleRequirement>, IAuthorizationRequirement
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, RoleRequirement requirement)
    {
        var method = (context.Resource as HttpContext)?.Request.Method;
        var reads = method is not null && (HttpMethods.IsGet(method) || HttpMethods.IsHead(method));
        if (context.User.IsInRole(TaskFlowRoles.Admin) || (reads && context.User.IsInRole(TaskFlowRoles.Viewer)))
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
