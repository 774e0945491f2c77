using System.Reflection;
using System.Reflection.Emit;

namespace TaskFlow.IntegrationTests.Categories;

/// <summary>Reads a method's IL for the methods it calls (call, callvirt, newobj, ldftn), so a test can tell what a
/// test class reaches without running it.</summary>
internal static class MethodCalls
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(c => c.Value);

    /// <summary>The methods and constructors <paramref name="method"/>'s body refers to.</summary>
    public static IEnumerable<MethodBase> Of(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        var typeArguments = method.DeclaringType is { IsGenericType: true } type ? type.GetGenericArguments() : null;
        var methodArguments = method is MethodInfo { IsGenericMethod: true } ? method.GetGenericArguments() : null;
        for (var at = 0; at < il.Length;)
        {
            short value = il[at++];
            if (value == 0xFE) value = (short)(0xFE00 | il[at++]);
            var code = OpCodesByValue[value];
            var operand = at;
            at += OperandSize(code.OperandType, il, at);
            if (code.OperandType == OperandType.InlineMethod && Resolve(method.Module, BitConverter.ToInt32(il, operand), typeArguments, methodArguments) is { } target)
                yield return target;
        }
    }

    private static int OperandSize(OperandType type, byte[] il, int at) => type switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, at)),
        _ => 4,
    };

    private static MethodBase? Resolve(Module module, int token, Type[]? typeArguments, Type[]? methodArguments)
    {
        try
        {
            return module.ResolveMethod(token, typeArguments, methodArguments);
        }
        catch (ArgumentException)
        {
            return null;   // a member of a generic type the context cannot close; not one of ours
        }
    }
}
