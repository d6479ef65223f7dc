
:
xPlaceholder*
dtype0*
shape:	

r
	AvgPool2DAvgPoolx*
strides
*
ksize
*
paddingSAME*
T0*
data_formatNHWC
(
IdentityIdentity	AvgPool2D*
T0"ª