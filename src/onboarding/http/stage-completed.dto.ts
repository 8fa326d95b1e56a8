import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

export class RelatedEntityDto {
  @IsString() @IsNotEmpty() entityType!: string;
  @IsString() @IsNotEmpty() entityId!: string;
  @IsString() entityName!: string;
  @IsString() entityStatus!: string;
  @IsOptional() @IsObject() properties?: Record<string, unknown>;
}

const id = (): PropertyDecorator => (target, key) => {
  IsInt()(target, key);
  Min(1)(target, key);
  Max(Number.MAX_SAFE_INTEGER)(target, key);
};

/** Body of POST /api/onboarding/stage-completed: the fields of SPEC §2. */
export class StageCompletedDto {
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(100) eventId?: string;
  @IsOptional() @IsISO8601({ strict: true }) timestamp?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(20) version?: string;
  /** Must be the request's tenant (X-Tenant-Id) when given. */
  @IsOptional() @IsString() tenantId?: string;
  @id() onboardingId!: number;
  @IsString() @IsNotEmpty() leadId!: string;
  @id() workflowId!: number;
  @IsString() @IsNotEmpty() workflowName!: string;
  @id() completedStageId!: number;
  @IsString() @IsNotEmpty() completedStageName!: string;
  @IsString() @IsNotEmpty() stageCategory!: string;
  @IsOptional() @id() nextStageId?: number;
  @IsOptional() @IsString() nextStageName?: string;
  @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(100) completionRate!: number;
  @IsBoolean() isFinalStage!: boolean;
  @IsString() @IsNotEmpty() responsibleTeam!: string;
  @IsOptional() @id() assigneeId?: number;
  @IsString() assigneeName!: string;
  @IsOptional() @IsObject() businessContext?: Record<string, unknown>;
  @IsOptional() @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) routingTags?: string[];
  @IsOptional() @IsString() @IsNotEmpty() priority?: string;
  @IsString() source!: string;
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => RelatedEntityDto)
  relatedEntity?: RelatedEntityDto;
  @IsOptional() @IsString() description?: string;
  @IsOptional() @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) tags?: string[];
}
