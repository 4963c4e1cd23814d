import { anthropic } from "./anthropic";
import { azureOpenai } from "./azure-openai";
import { cohere } from "./cohere";
import { gemini } from "./gemini";
import { mock } from "./mock";
import { openai } from "./openai";
import { openaiPresets } from "./openai/presets";
import type { Provider } from "./types";
import { voyage } from "./voyage";
import { workersAi } from "./workers-ai";

/** Every channel type the gateway can reach. A new provider is a folder beside this file and a line here. */
export const providers = {
	openai,
	...openaiPresets,
	"azure-openai": azureOpenai,
	anthropic,
	gemini,
	"workers-ai": workersAi,
	cohere,
	voyage,
	mock,
} as const satisfies Record<string, Provider>;

export type ChannelType = keyof typeof providers;

export const channelTypes = Object.keys(providers) as [ChannelType, ...ChannelType[]];

export function isChannelType(type: string): type is ChannelType {
	return Object.hasOwn(providers, type);
}
